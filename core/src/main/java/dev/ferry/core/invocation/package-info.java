/**
 * Small helpers every stage uses to answer an invocation: results built from the request they answer, so the
 * identifying fields are copied in one place; {@code ReasonCode}, the wire codes of why an invocation was rejected or
 * given up; and {@code BilledTime}, the one rule of what an attempt is billed.
 *
 * <p>Depends on {@code dev.ferry.core} and the generated records of {@code dev.ferry.schemas}.
 */
package dev.ferry.core.invocation;
