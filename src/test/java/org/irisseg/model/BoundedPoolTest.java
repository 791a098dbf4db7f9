package org.irisseg.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.irisseg.error.IrisException;
import org.irisseg.error.ProblemType;
import org.junit.jupiter.api.Test;

class BoundedPoolTest {

    @Test
    void aFreeItemIsLeasedAndComesBack() {
        BoundedPool<String> pool = new BoundedPool<>(List.of("a"), 0, Duration.ofSeconds(1));
        InferenceTimings timings = new InferenceTimings();
        try (BoundedPool.Lease<String> lease = pool.acquire(timings)) {
            assertEquals("a", lease.get());
            assertEquals(1, pool.inUse());
        }
        assertEquals(0, pool.inUse());
        assertEquals(1, timings.calls(Stage.QUEUE_WAIT));
    }

    @Test
    void aFullQueueIsRefusedAtOnceWithRetryAfter() {
        BoundedPool<String> pool = new BoundedPool<>(List.of("a"), 0, Duration.ofSeconds(10));
        try (BoundedPool.Lease<String> held = pool.acquire(new InferenceTimings())) {
            long start = System.nanoTime();
            IrisException e = assertThrows(IrisException.class, () -> pool.acquire(new InferenceTimings()));
            assertEquals(ProblemType.OVERLOADED, e.type());
            assertTrue(e.retryAfter().isPresent());
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "refused without waiting");
        }
    }

    @Test
    void aWaiterThatGetsNoItemInTimeIsRefusedWith503() {
        BoundedPool<String> pool = new BoundedPool<>(List.of("a"), 1, Duration.ofMillis(50));
        try (BoundedPool.Lease<String> held = pool.acquire(new InferenceTimings())) {
            IrisException e = assertThrows(IrisException.class, () -> pool.acquire(new InferenceTimings()));
            assertEquals(ProblemType.QUEUE_TIMEOUT, e.type());
            assertEquals(503, e.type().status());
        }
        assertEquals(0, pool.waiting());
    }

    @Test
    void waitersAreServedWhenItemsComeBackAndNeverExceedThePoolSize() throws Exception {
        BoundedPool<Integer> pool = new BoundedPool<>(List.of(1, 2), 8, Duration.ofSeconds(30));
        ExecutorService executor = Executors.newFixedThreadPool(8);
        CountDownLatch start = new CountDownLatch(1);
        int[] maxInUse = new int[1];
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                futures.add(executor.submit(() -> {
                    start.await();
                    try (BoundedPool.Lease<Integer> lease = pool.acquire(new InferenceTimings())) {
                        synchronized (maxInUse) {
                            maxInUse[0] = Math.max(maxInUse[0], pool.inUse());
                        }
                        Thread.sleep(5);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            executor.shutdownNow();
        }
        assertTrue(maxInUse[0] <= 2);
        assertEquals(0, pool.inUse());
    }

    @Test
    void closingDrainsLeasedItemsThenRefusesNewLeases() throws Exception {
        BoundedPool<StringBuilder> pool = new BoundedPool<>(List.of(new StringBuilder()), 1, Duration.ofSeconds(1));
        BoundedPool.Lease<StringBuilder> lease = pool.acquire(new InferenceTimings());
        Thread returner = new Thread(() -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            lease.get().append("used");
            lease.close();
        });
        returner.start();
        List<String> closed = new ArrayList<>();
        pool.close(Duration.ofSeconds(10), item -> closed.add(item.toString()));
        assertEquals(List.of("used"), closed, "the in-flight item was returned and then closed");
        assertEquals(ProblemType.MODEL_NOT_READY,
                assertThrows(IrisException.class, () -> pool.acquire(new InferenceTimings())).type());
    }
}
