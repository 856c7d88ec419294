/**
 * The function registry: {@code ferry.functions}, a compacted topic keyed {@code tenant/name}, is the only source of
 * truth for what is deployed. {@link dev.ferry.core.functions.FunctionPublisher} writes it,
 * {@link dev.ferry.core.functions.FunctionDirectory} keeps a live local copy for every service that needs to know,
 * and {@link dev.ferry.core.functions.FunctionSpecs} holds the defaults and validation rules of docs/design.md.
 *
 * <p>Depends on {@code dev.ferry.core}, its {@code config}, {@code topics} and {@code kafka} packages, and the
 * generated records of {@code dev.ferry.schemas}.
 */
package dev.ferry.core.functions;
