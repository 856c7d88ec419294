/**
 * Triggers (event-source mappings, issue 14): their identity, defaults and validation, the directory that follows
 * {@code ferry.triggers}, its publisher, and the record filter and decoding every trigger runtime shares.
 */
package dev.ferry.core.triggers;
