/**
 * The built-in example functions of docs/design.md, deployable on the {@code JAVA} runtime by short name:
 * {@code echo}, {@code sleep}, {@code wordcount}, {@code sha256} and {@code fail}.
 *
 * <p>Depends only on the public {@code dev.ferry.worker} API, like any user function.
 */
package dev.ferry.worker.builtin;
