/**
 * What every Ferry HTTP listener shares: the one error shape of docs/design.md ({@code {"error", "code", "errors"}}),
 * written for errors of the handlers, of Javalin and of Jetty itself, and the instant parser of query parameters and
 * headers.
 */
package dev.ferry.core.http;
