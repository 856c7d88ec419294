/**
 * Small network helpers every service shares: masking credentials in URLs before they are printed or logged
 * ({@link dev.ferry.core.net.Urls}), and the shared-token check of operator listeners
 * ({@link dev.ferry.core.net.BearerTokens}).
 */
package dev.ferry.core.net;
