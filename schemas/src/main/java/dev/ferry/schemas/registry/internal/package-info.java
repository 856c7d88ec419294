/**
 * HTTP plumbing of the registry client: URL fail-over, basic auth, JSON bodies and the mapping of
 * registry error answers to exceptions. Not for use outside {@code dev.ferry.schemas.registry}.
 *
 * <p>May depend on {@code dev.ferry.schemas.registry} (for its exception types), Jackson and the JDK.
 */
package dev.ferry.schemas.registry.internal;
