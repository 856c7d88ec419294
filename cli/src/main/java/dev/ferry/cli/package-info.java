/**
 * The {@code ferry} command: picocli commands that run every service alone or all together ({@code dev},
 * {@code demo}), and client commands that talk to a gateway ({@code deploy}, {@code invoke}, {@code functions},
 * {@code usage}, {@code top}).
 *
 * <p>The only module that prints; it may depend on every other module, and none depends on it.
 */
package dev.ferry.cli;
