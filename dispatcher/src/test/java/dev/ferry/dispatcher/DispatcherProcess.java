package dev.ferry.dispatcher;

import dev.ferry.core.config.FerryConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A dispatcher in a JVM of its own, for tests that kill it: {@code key=value} arguments are its configuration.
 * It runs until the process is killed.
 */
public final class DispatcherProcess {

    private static final Logger log = LoggerFactory.getLogger(DispatcherProcess.class);

    private DispatcherProcess() {
    }

    public static void main(String[] args) throws InterruptedException {
        Map<String, Object> settings = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            settings.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        Dispatcher dispatcher = new Dispatcher(new FerryConfig(settings)).start();
        Runtime.getRuntime().addShutdownHook(new Thread(dispatcher::close));
        log.info("Dispatcher process {} started", dispatcher.transactionalId());
        new CountDownLatch(1).await();
    }
}
