package dev.ferry.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Keeps the embedded KRaft node's start-up race off the console: a controller registration sent before the
 * controller has become active (tester's report: 1 start of 5 printed a 15-line stack trace of
 * {@code NotControllerException: The active controller appears to be node 1}).
 *
 * <p>Why it is harmless: every KRaft controller registers itself with the active controller (KIP-919,
 * {@code ControllerRegistrationManager}). In {@code ferry dev}'s combined node, that registration may reach the
 * quorum controller between its election and its activation; the controller answers {@code NOT_CONTROLLER}, and
 * {@code ControllerApis} logs the answer at ERROR with its stack trace although it is an ordinary answer. The
 * registering side treats it as any failed registration: it logs the error code and schedules the next attempt
 * after its back-off (Kafka 4.3's {@code RegistrationResponseHandler} calls
 * {@code scheduleNextCommunicationAfterFailure}), and the next attempt, after activation, is acknowledged. Nothing
 * waits on it: the broker is ready when the controller is, and Ferry's readiness is checked on its own.
 *
 * <p>Only those two lines are dropped: ERROR of {@code kafka.server.ControllerApis} whose throwable is a
 * {@code NotControllerException}, or has one among its causes (Kafka 4.3.1 mostly logs it wrapped in the
 * {@code CompletionException} of the controller's future: tester 10, finding 7d, saw that line on most restarts),
 * for a {@code CONTROLLER_REGISTRATION} request, and
 * {@code kafka.server.ControllerRegistrationManager}'s line that the controller returned {@code NOT_CONTROLLER}.
 * Any other error of either, a NotControllerException for any other request, and every other line pass.
 */
public final class KraftStartupRaceFilter extends Filter<ILoggingEvent> {

    static final String CONTROLLER_APIS = "kafka.server.ControllerApis";
    static final String REGISTRATION_MANAGER = "kafka.server.ControllerRegistrationManager";
    static final String NOT_CONTROLLER = "org.apache.kafka.common.errors.NotControllerException";

    @Override
    public FilterReply decide(ILoggingEvent event) {
        if (!event.getLevel().isGreaterOrEqual(Level.WARN)) {
            return FilterReply.NEUTRAL;
        }
        String message = event.getFormattedMessage();
        if (message == null) {
            return FilterReply.NEUTRAL;
        }
        if (CONTROLLER_APIS.equals(event.getLoggerName())) {
            return causedByNotController(event.getThrowableProxy()) && message.contains("CONTROLLER_REGISTRATION")
                    ? FilterReply.DENY : FilterReply.NEUTRAL;
        }
        if (REGISTRATION_MANAGER.equals(event.getLoggerName())) {
            return message.contains("controller returned error NOT_CONTROLLER") ? FilterReply.DENY : FilterReply.NEUTRAL;
        }
        return FilterReply.NEUTRAL;
    }

    /** Whether {@code thrown} or one of its causes is a NotControllerException (a bounded walk: causes may loop). */
    private static boolean causedByNotController(IThrowableProxy thrown) {
        for (int depth = 0; thrown != null && depth < 8; depth++, thrown = thrown.getCause()) {
            if (NOT_CONTROLLER.equals(thrown.getClassName())) {
                return true;
            }
        }
        return false;
    }
}
