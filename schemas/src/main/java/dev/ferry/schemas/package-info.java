/**
 * Ferry's public data contracts: the Avro records of docs/design.md (generated from {@code src/main/avro}).
 *
 * <p>Depends on Avro only; every other Ferry module depends on this one.
 */
package dev.ferry.schemas;
