package dev.ferry.worker.internal;

import dev.ferry.core.FerryException;
import dev.ferry.core.config.WorkerConfig;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.worker.Function;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * {@code PROCESS}: the handler is a command line run by {@code /bin/sh -c}, once per invocation, with the
 * function's env added to the worker's. The payload is its stdin, its stdout the output; a non-zero exit fails
 * the attempt with the tail of stderr. When the attempt times out its thread is interrupted and the process
 * killed. Off unless {@value WorkerConfig#PROCESS_RUNTIME_ENABLED} is true: it runs tenants' commands on the host.
 */
public final class ProcessRuntime implements FunctionRuntime {

    static final int STDERR_TAIL_BYTES = 1024;

    private final boolean enabled;

    public ProcessRuntime(boolean enabled) {
        this.enabled = enabled;
    }

    @Override
    public Function create(FunctionSpec spec) {
        if (!enabled) {
            throw new FunctionUnavailableException("The PROCESS runtime is disabled on this worker; set "
                    + WorkerConfig.PROCESS_RUNTIME_ENABLED + "=true to run " + spec.getTenant() + "/"
                    + spec.getName());
        }
        List<String> command = List.of("/bin/sh", "-c", spec.getHandler());
        return in -> {
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().putAll(in.env());
            Process process = builder.start();
            try {
                CompletableFuture<Void> stdin = CompletableFuture.runAsync(() -> write(process.getOutputStream(),
                        in.payload()), DaemonThreads.INSTANCE);
                CompletableFuture<byte[]> stdout = CompletableFuture.supplyAsync(() -> readAll(
                        process.getInputStream()), DaemonThreads.INSTANCE);
                CompletableFuture<byte[]> stderr = CompletableFuture.supplyAsync(() -> readAll(
                        process.getErrorStream()), DaemonThreads.INSTANCE);
                int exit = process.waitFor();
                byte[] out = stdout.get();
                stdin.exceptionally(e -> null).get();
                if (exit != 0) {
                    byte[] err = stderr.get();
                    String tail = new String(Arrays.copyOfRange(err, Math.max(0, err.length - STDERR_TAIL_BYTES),
                            err.length), StandardCharsets.UTF_8);
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

    private static void write(OutputStream stream, byte[] payload) {
        try (OutputStream out = stream) {
            out.write(payload);
        } catch (IOException e) {
            // A command that does not read its stdin closes the pipe early; its exit code tells the story.
        }
    }

    private static byte[] readAll(InputStream stream) {
        try (InputStream in = stream) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
