/**
 * Readiness: what a process must have working before it says {@code 200} on {@code /readyz} (issue 11, part 4;
 * DESIGN, "HTTP API": readiness is 200 only when what the process serves works).
 *
 * <p>Depends on nothing else in Ferry.
 */
package dev.ferry.core.health;
