package dev.ferry.worker.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a replica's functions run: a pool that grows a thread whenever every thread is busy (a run that blocks or is
 * stuck never holds up another, as in {@link java.util.concurrent.Executors#newCachedThreadPool}) and lets an idle
 * thread go after {@code keepAlive}, but wakes at most one thread per burst of hand-overs. A cached pool hands each
 * task to a parked thread and wakes it: for a function that answers in microseconds every invocation cost the polling
 * thread a wake-up system call and the user thread a sleep and a wake, a third of an {@code ORDERED} replica's CPU at
 * 15,000 invocations per second (issue 16; async-profiler). Here tasks wait in a queue; a hand-over wakes a thread
 * only when no thread is already on its way to the queue (the <em>searcher</em>), and a searcher that takes a task
 * wakes the next one only if tasks are still waiting. A burst of quick runs is then run back to back by the few
 * threads awake, while a burst of slow runs still spreads over as many threads as it has runs, one wake-up after
 * another (microseconds each).
 *
 * <p>As in a {@link java.util.concurrent.ThreadPoolExecutor}: a thread's interrupt status is cleared before each task
 * (a cancelled run's interrupt never reaches the next run), {@link #shutdown()} refuses new tasks and lets queued
 * ones run, {@link #shutdownNow()} also interrupts the threads and returns what never started. Threads are made by
 * the given factory (daemon threads: a stuck one is never joined).
 */
public final class UserThreadPool extends AbstractExecutorService {

    private static final Logger log = LoggerFactory.getLogger(UserThreadPool.class);

    private final ThreadFactory factory;
    private final long keepAliveNanos;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** Parked threads, the latest parked first (its caches are warm). */
    private final ConcurrentLinkedDeque<Worker> parked = new ConcurrentLinkedDeque<>();
    private final Set<Worker> workers = ConcurrentHashMap.newKeySet();
    /** Whether a thread is on its way to the queue: woken or started to take a task, not yet taken one. */
    private final AtomicBoolean searching = new AtomicBoolean();
    private final AtomicInteger live = new AtomicInteger();
    /** Threads woken or started to take tasks, since the pool began. */
    private final AtomicLong wakes = new AtomicLong();
    private final Object terminationLock = new Object();
    private volatile boolean shutdown;
    private volatile boolean stopped;

    /**
     * @param factory   makes the threads
     * @param keepAlive how long a thread may stay idle before it ends
     */
    public UserThreadPool(ThreadFactory factory, long keepAlive, TimeUnit unit) {
        this.factory = factory;
        this.keepAliveNanos = unit.toNanos(keepAlive);
    }

    /** A pool whose idle threads end after 60 s, as a cached pool's. */
    public UserThreadPool(ThreadFactory factory) {
        this(factory, 60, TimeUnit.SECONDS);
    }

    @Override
    public void execute(Runnable task) {
        if (task == null) {
            throw new NullPointerException("task");
        }
        if (shutdown) {
            throw new RejectedExecutionException("The user threads are shut down");
        }
        tasks.offer(task);
        if (!searching.get()) {
            try {
                wakeSearcher();
            } catch (RuntimeException | Error e) {
                if (tasks.remove(task)) {
                    throw e;
                }
                // A thread took it meanwhile: accepted after all.
            }
        }
        if (shutdown && tasks.remove(task)) {
            // Shut down between the check and the offer: refused, as the caller will be told.
            throw new RejectedExecutionException("The user threads are shut down");
        }
    }

    /** Threads alive now, busy or idle. */
    public int threads() {
        return live.get();
    }

    /** How often a thread was woken or started to take tasks, since the pool began. */
    public long wakes() {
        return wakes.get();
    }

    /** Makes one thread the searcher, waking a parked one or starting one, unless a searcher exists already. */
    private void wakeSearcher() {
        if (!searching.compareAndSet(false, true)) {
            return;
        }
        wakes.incrementAndGet();
        Worker next;
        while ((next = parked.pollFirst()) != null) {
            if (next.wake()) {
                return;
            }
        }
        try {
            start();
        } catch (RuntimeException | Error e) {
            searching.set(false);
            throw e;
        }
    }

    private void start() {
        Worker worker = new Worker();
        Thread thread = factory.newThread(worker::run);
        if (thread == null) {
            throw new RejectedExecutionException("The thread factory made no thread");
        }
        worker.thread = thread;
        workers.add(worker);
        live.incrementAndGet();
        try {
            thread.start();
        } catch (RuntimeException | Error e) {
            // No thread could be made (out of native threads): the hand-over fails, as a pool's would.
            ended(worker);
            throw e;
        }
    }

    @Override
    public void shutdown() {
        shutdown = true;
        wakeAllParked();
    }

    @Override
    public List<Runnable> shutdownNow() {
        shutdown = true;
        stopped = true;
        List<Runnable> unstarted = new ArrayList<>();
        Runnable task;
        while ((task = tasks.poll()) != null) {
            unstarted.add(task);
        }
        for (Worker worker : workers) {
            worker.thread.interrupt();
        }
        wakeAllParked();
        return unstarted;
    }

    /** After a shutdown: each parked thread wakes, runs what is queued and ends (without the searcher's role). */
    private void wakeAllParked() {
        Worker worker;
        while ((worker = parked.pollFirst()) != null) {
            LockSupport.unpark(worker.thread);
        }
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return shutdown && live.get() == 0;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        long until = System.nanoTime() + unit.toNanos(timeout);
        synchronized (terminationLock) {
            while (!isTerminated()) {
                long left = until - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(terminationLock, left);
            }
            return true;
        }
    }

    private void ended(Worker worker) {
        workers.remove(worker);
        live.decrementAndGet();
        synchronized (terminationLock) {
            terminationLock.notifyAll();
        }
    }

    /** One thread of the pool. */
    private final class Worker {
        private static final int RUNNING = 0;
        private static final int PARKED = 1;
        /** Woken as the searcher by {@link #wakeSearcher()}. */
        private static final int WOKEN = 2;
        /** Given up after its keep-alive: never woken again. */
        private static final int RETIRED = 3;

        private final AtomicInteger state = new AtomicInteger(RUNNING);
        private Thread thread;

        /** Wakes this parked thread as the searcher; false if it retired (or was woken) meanwhile. */
        boolean wake() {
            if (state.compareAndSet(PARKED, WOKEN)) {
                LockSupport.unpark(thread);
                return true;
            }
            return false;
        }

        void run() {
            // A thread starts as the searcher: it was started by wakeSearcher().
            boolean searcher = true;
            try {
                while (true) {
                    Runnable task = tasks.poll();
                    if (task != null) {
                        if (searcher) {
                            searcher = false;
                            searching.set(false);
                            if (!tasks.isEmpty()) {
                                wakeNextSearcher();
                            }
                        }
                        runTask(task);
                        continue;
                    }
                    if (searcher) {
                        searcher = false;
                        searching.set(false);
                        // A hand-over that saw the searcher before it stepped down woke no one: look once more.
                        if (!tasks.isEmpty() && searching.compareAndSet(false, true)) {
                            searcher = true;
                            continue;
                        }
                    }
                    if (shutdown) {
                        return;
                    }
                    int woken = park();
                    if (woken == RETIRED) {
                        return;
                    }
                    searcher = woken == WOKEN;
                }
            } finally {
                if (searcher) {
                    // Ending while the searcher (the thread factory's thread failed): hand the role on.
                    searching.set(false);
                    if (!tasks.isEmpty() && !shutdown) {
                        wakeSearcher();
                    }
                }
                ended(this);
            }
        }

        /**
         * Passes the searcher's role on while runs wait. A thread that cannot be made (out of native threads) must
         * not cost the run this thread has taken: it is logged, and the runs waiting are taken by the threads there
         * are as they come free.
         */
        private void wakeNextSearcher() {
            try {
                wakeSearcher();
            } catch (RuntimeException | Error e) {
                log.warn("No user thread could be started for the runs waiting; they wait for a busy one: {}",
                        e.toString());
            }
        }

        /**
         * Parks until woken or its keep-alive is over; returns {@link #WOKEN} when woken as the searcher,
         * {@link #RUNNING} when it should look at the queue itself, {@link #RETIRED} when it ends.
         */
        private int park() {
            state.set(PARKED);
            parked.addFirst(this);
            // A task handed over after this thread's last look, by a caller that saw a searcher and woke no one, is
            // the searcher's to take; but a searcher may have stepped down just before this thread parked.
            if (!tasks.isEmpty() && state.compareAndSet(PARKED, RUNNING)) {
                parked.remove(this);
                return RUNNING;
            }
            long until = System.nanoTime() + keepAliveNanos;
            while (state.get() == PARKED) {
                if (shutdown && state.compareAndSet(PARKED, RUNNING)) {
                    parked.remove(this);
                    return RUNNING;
                }
                long left = until - System.nanoTime();
                if (left <= 0) {
                    if (state.compareAndSet(PARKED, RETIRED)) {
                        parked.remove(this);
                        return RETIRED;
                    }
                    break;
                }
                LockSupport.parkNanos(UserThreadPool.this, left);
            }
            state.set(RUNNING);
            return WOKEN;
        }

        private void runTask(Runnable task) {
            // As ThreadPoolExecutor: interrupted after shutdownNow, otherwise a cancelled run's interrupt is cleared.
            if (stopped) {
                thread.interrupt();
            } else {
                Thread.interrupted();
            }
            try {
                task.run();
            } catch (RuntimeException e) {
                // A FutureTask never throws; a bare Runnable's exception is its caller's concern, as in a pool.
                Thread.UncaughtExceptionHandler handler = thread.getUncaughtExceptionHandler();
                handler.uncaughtException(thread, e);
            }
        }
    }
}
