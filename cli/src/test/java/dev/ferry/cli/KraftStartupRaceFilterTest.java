package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.spi.FilterReply;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.errors.UnknownServerException;
import org.junit.jupiter.api.Test;

/** The embedded KRaft node's controller-registration race is dropped, and nothing else (tester's report). */
class KraftStartupRaceFilterTest {

    /** The line as Kafka 4.3's ControllerApis writes it (request description shortened). */
    private static final String UNEXPECTED = "[ControllerApis nodeId=1] Unexpected error handling request "
            + "RequestHeader(apiKey=%s, apiVersion=0, clientId=raft-client-1, correlationId=1) -- "
            + "ControllerRegistrationRequestData(controllerId=1) with context RequestContext(...)";

    private static FilterReply decide(String logger, Level level, String message, Throwable thrown) {
        LoggingEvent event = new LoggingEvent(KraftStartupRaceFilterTest.class.getName(),
                new LoggerContext().getLogger(logger), level, message, thrown, null);
        return new KraftStartupRaceFilter().decide(event);
    }

    @Test
    void shouldDropTheRegistrationThatReachedTheControllerBeforeItWasActive() {
        assertThat(decide(KraftStartupRaceFilter.CONTROLLER_APIS, Level.ERROR,
                UNEXPECTED.formatted("CONTROLLER_REGISTRATION"),
                new NotControllerException("The active controller appears to be node 1."))).isEqualTo(FilterReply.DENY);
        // The variant Kafka 4.3.1 logs on most restarts: wrapped by the controller's future (tester 10, 7d).
        assertThat(decide(KraftStartupRaceFilter.CONTROLLER_APIS, Level.ERROR,
                UNEXPECTED.formatted("CONTROLLER_REGISTRATION"), new java.util.concurrent.CompletionException(
                        new NotControllerException("The active controller appears to be node 1."))))
                .isEqualTo(FilterReply.DENY);
        assertThat(decide(KraftStartupRaceFilter.REGISTRATION_MANAGER, Level.ERROR,
                "[ControllerRegistrationManager id=1 incarnation=x] RegistrationResponseHandler: controller returned "
                        + "error NOT_CONTROLLER (The active controller appears to be node 1.)", null))
                .isEqualTo(FilterReply.DENY);
    }

    @Test
    void shouldKeepEveryOtherControllerError() {
        assertThat(decide(KraftStartupRaceFilter.CONTROLLER_APIS, Level.ERROR,
                UNEXPECTED.formatted("CONTROLLER_REGISTRATION"), new UnknownServerException("boom")))
                .isEqualTo(FilterReply.NEUTRAL);
        assertThat(decide(KraftStartupRaceFilter.CONTROLLER_APIS, Level.ERROR,
                UNEXPECTED.formatted("CONTROLLER_REGISTRATION"),
                new java.util.concurrent.CompletionException(new UnknownServerException("boom"))))
                .isEqualTo(FilterReply.NEUTRAL);
        assertThat(decide(KraftStartupRaceFilter.CONTROLLER_APIS, Level.ERROR, UNEXPECTED.formatted("CREATE_TOPICS"),
                new NotControllerException("The active controller appears to be node 1."))).isEqualTo(FilterReply.NEUTRAL);
        assertThat(decide(KraftStartupRaceFilter.REGISTRATION_MANAGER, Level.ERROR,
                "RegistrationResponseHandler: controller returned error INVALID_REGISTRATION (x)", null))
                .isEqualTo(FilterReply.NEUTRAL);
        assertThat(decide("kafka.server.BrokerServer", Level.ERROR, "controller returned error NOT_CONTROLLER", null))
                .isEqualTo(FilterReply.NEUTRAL);
    }
}
