package org.irisseg.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Runs tasks on their own threads, released together, and waits for all of them (failures rethrown). */
public final class Concurrently {

    /** One task of a concurrent run; {@code index} is its number, 0 to n - 1. */
    @FunctionalInterface
    public interface Task {
        void run(int index) throws Exception;
    }

    private Concurrently() {
    }

    /** Starts {@code n} threads, releases them at once to run {@code task}, and waits up to 30 s for each. */
    public static void run(int n, Task task) throws Exception {
        run(n, task, Duration.ofSeconds(30));
    }

    /** As {@link #run(int, Task)}, waiting up to {@code timeout} for each. */
    public static void run(int n, Task task, Duration timeout) throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(n);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int index = i;
                Callable<Void> call = () -> {
                    start.await();
                    task.run(index);
                    return null;
                };
                futures.add(executor.submit(call));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
        } finally {
            executor.shutdownNow();
        }
    }
}
