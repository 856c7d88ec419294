package dev.ferry.worker.internal;

import dev.ferry.core.FerryException;
import dev.ferry.core.config.WorkerConfig;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.worker.Function;
import dev.ferry.worker.Invocation;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code PROCESS}: the handler is a command line run by {@code /bin/sh -c}, once per invocation, with the
 * function's env added to the worker's and the attempt's own variables over both ({@link InvocationFacts}:
 * {@code FERRY_INVOCATION_ID}, {@code FERRY_ATTEMPT}, {@code TRACEPARENT}, a trigger's {@code FERRY_SOURCE_*}...,
 * the facts an HTTP function gets as headers; see {@link #environment}). The payload is its stdin, its stdout the
 * output; a non-zero exit fails the attempt with the tail of stderr. When the attempt times out its thread is
 * interrupted and the process killed. Off unless {@value WorkerConfig#PROCESS_RUNTIME_ENABLED} is true: it runs
 * tenants' commands on the host, as the worker's user and with the worker's environment (PATH, HOME...).
 *
 * <p>Stdout is read no further than {@code maxOutputBytes} + 1 bytes: a command writing more is killed there, and
 * its cut output fails the result's size check as any output too large does ({@code FAILED output_too_large}),
 * without waiting for its exit. Stderr is drained (a command blocked on a full pipe would never end) but only its
 * last KiB is kept. So a command printing without end costs the worker at most a result's worth of memory.
 */
public final class ProcessRuntime implements FunctionRuntime {

    static final int STDERR_TAIL_BYTES = 1024;
    private static final Logger log = LoggerFactory.getLogger(ProcessRuntime.class);

    /** The largest array the JVM reliably allocates. */
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    private final boolean enabled;
    private final int readLimit;

    /** @param maxOutputBytes the largest output kept whole, in bytes; stdout is cut at this + 1 bytes */
    public ProcessRuntime(boolean enabled, int maxOutputBytes) {
        this.enabled = enabled;
        this.readLimit = readLimit(maxOutputBytes);
    }

    /** Bytes of an output read at most: one over {@code maxOutputBytes}, enough to know it is over. */
    static int readLimit(int maxOutputBytes) {
        if (maxOutputBytes < 0) {
            throw new IllegalArgumentException("maxOutputBytes must not be negative: " + maxOutputBytes);
        }
        return (int) Math.min((long) maxOutputBytes + 1, MAX_ARRAY);
    }

    @Override
    public Function create(FunctionSpec spec) {
        if (!enabled) {
            throw new FunctionUnavailableException("The PROCESS runtime is disabled on this worker; set "
                    + WorkerConfig.PROCESS_RUNTIME_ENABLED + "=true to run " + spec.getTenant() + "/"
                    + spec.getName());
        }
        List<String> command = List.of("/bin/sh", "-c", spec.getHandler());
        Set<String> overridden = new TreeSet<>(spec.getEnv() == null ? Set.of() : spec.getEnv().keySet());
        overridden.retainAll(InvocationFacts.ENV_NAMES);
        if (!overridden.isEmpty()) {
            // Names only: an env value may be a secret.
            log.warn("The env of {}/{} sets {}, which the PROCESS runtime sets itself for each attempt: the "
                    + "function's values are not used", spec.getTenant(), spec.getName(), overridden);
        }
        return in -> {
            ProcessBuilder builder = new ProcessBuilder(command);
            environment(builder.environment(), spec, in);
            Process process = builder.start();
            try {
                CompletableFuture<Void> stdin = CompletableFuture.runAsync(() -> write(process.getOutputStream(),
                        in.payload()), DaemonThreads.INSTANCE);
                CompletableFuture<byte[]> stdout = CompletableFuture.supplyAsync(() -> readAtMost(
                        process.getInputStream(), readLimit), DaemonThreads.INSTANCE);
                CompletableFuture<byte[]> stderr = CompletableFuture.supplyAsync(() -> tail(
                        process.getErrorStream(), STDERR_TAIL_BYTES), DaemonThreads.INSTANCE);
                byte[] out = stdout.get();
                if (out.length == readLimit) {
                    // Over the limit: whatever else it writes could not be a result. The finally kills it.
                    return out;
                }
                int exit = process.waitFor();
                stdin.exceptionally(e -> null).get();
                if (exit != 0) {
                    String tail = new String(stderr.get(), StandardCharsets.UTF_8);
                    throw new FerryException("Command exited with " + exit + ": " + tail.strip());
                }
                return out;
            } catch (ExecutionException e) {
                throw new FerryException("Cannot talk to the command: " + e.getCause().getMessage(), e.getCause());
            } finally {
                if (process.isAlive()) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                }
            }
        };
    }

    /**
     * Fills a process's environment, which starts as the worker's: the function's {@code env}, then the attempt's
     * own variables ({@link InvocationFacts#env}). Every name the runtime may set is first removed, from the
     * worker's variables and the function's alike, so what a command reads under one of them is always this
     * attempt's and a fact the attempt lacks (a key, a trace context) is unset. A value an environment cannot carry
     * (a NUL character, or over {@value HttpRuntime#MAX_FORWARDED_VALUE} characters, such as a huge key) is left
     * out, logged at DEBUG.
     */
    static void environment(Map<String, String> environment, FunctionSpec spec, Invocation in) {
        environment.keySet().removeAll(InvocationFacts.ENV_NAMES);
        for (Map.Entry<String, String> variable : in.env().entrySet()) {
            if (!InvocationFacts.ENV_NAMES.contains(variable.getKey())) {
                environment.put(variable.getKey(), variable.getValue());
            }
        }
        for (Map.Entry<String, String> fact : InvocationFacts.env(spec, in).entrySet()) {
            String value = fact.getValue();
            if (value.indexOf('\0') >= 0 || value.length() > HttpRuntime.MAX_FORWARDED_VALUE) {
                log.debug("{} is not set for the command: an environment variable cannot carry its value as it is",
                        fact.getKey());
                continue;
            }
            environment.put(fact.getKey(), value);
        }
    }

    private static void write(OutputStream stream, byte[] payload) {
        try (OutputStream out = stream) {
            out.write(payload);
        } catch (IOException e) {
            // A command that does not read its stdin closes the pipe early; its exit code tells the story.
        }
    }

    /** Up to {@code max} bytes of {@code stream}, fewer only at its end; the rest is left unread. */
    private static byte[] readAtMost(InputStream stream, int max) {
        try (InputStream in = stream) {
            return in.readNBytes(max);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The last {@code keep} bytes of {@code stream}, read to its end; earlier bytes are dropped as it goes. */
    private static byte[] tail(InputStream stream, int keep) {
        byte[] ring = new byte[keep];
        long total = 0;
        byte[] chunk = new byte[8192];
        try (InputStream in = stream) {
            for (int n; (n = in.read(chunk)) != -1; ) {
                for (int i = 0; i < n; i++) {
                    ring[(int) ((total + i) % keep)] = chunk[i];
                }
                total += n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int size = (int) Math.min(total, keep);
        byte[] last = new byte[size];
        for (int i = 0; i < size; i++) {
            last[i] = ring[(int) ((total - size + i) % keep)];
        }
        return last;
    }

    /** Pipe pumps must not hold the JVM open, and must not compete with the common pool's CPU-bound work. */
    private static final class DaemonThreads implements java.util.concurrent.Executor {
        static final DaemonThreads INSTANCE = new DaemonThreads();

        @Override
        public void execute(Runnable command) {
            Thread thread = new Thread(command, "ferry-process-pipe");
            thread.setDaemon(true);
            thread.start();
        }
    }
}
