/**
 * Service commands: each Ferry service alone ({@code gateway}, {@code dispatcher}, {@code worker},
 * {@code autoscaler}, {@code metering}), all of them in one process ({@code dev}), and {@code dev} with a scripted
 * load ({@code demo}). {@link dev.ferry.cli.service.Platform} assembles whichever services a command runs.
 *
 * <p>Depends on every service module and on {@code embedded} (for the embedded default of {@code dev}).
 */
package dev.ferry.cli.service;
