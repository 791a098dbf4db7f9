package org.irisseg.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

import org.irisseg.model.PoolRefusedException.Kind;
import org.irisseg.support.Concurrently;
import org.junit.jupiter.api.Test;

class BoundedPoolTest {

    private static final LongConsumer IGNORE_WAIT = nanos -> { };

    @Test
    void aFreeItemIsLeasedAndComesBack() {
        BoundedPool<String> pool = new BoundedPool<>(List.of("a"), 0, Duration.ofSeconds(1));
        try (BoundedPool.Lease<String> lease = pool.acquire(IGNORE_WAIT)) {
            assertEquals("a", lease.get());
            assertEquals(1, pool.inUse());
        }
        assertEquals(0, pool.inUse());
    }

    @Test
    void theWaitForAnItemIsReportedToTheCaller() throws Exception {
        BoundedPool<String> pool = new BoundedPool<>(List.of("a"), 1, Duration.ofSeconds(10));
        BoundedPool.Lease<String> held = pool.acquire(IGNORE_WAIT);
        Thread returner = new Thread(() -> {
            sleep(200);
            held.close();
        });
        returner.start();
        AtomicLong waited = new AtomicLong(-1);
        try (BoundedPool.Lease<String> lease = pool.acquire(waited::set)) {
            assertEquals("a", lease.get());
        }
        returner.join();
        assertTrue(waited.get() >= TimeUnit.MILLISECONDS.toNanos(150), "waited " + waited.get() + " ns");
    }

    @Test
    void aFullQueueIsRefusedAtOnce() {
        BoundedPool<String> pool = new BoundedPool<>(List.of("a"), 0, Duration.ofSeconds(10));
        try (BoundedPool.Lease<String> held = pool.acquire(IGNORE_WAIT)) {
            long start = System.nanoTime();
            PoolRefusedException e = assertThrows(PoolRefusedException.class, () -> pool.acquire(IGNORE_WAIT));
            assertEquals(Kind.QUEUE_FULL, e.kind());
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "refused without waiting");
        }
    }

    @Test
    void aWaiterThatGetsNoItemInTimeIsRefusedAsTimedOut() {
        BoundedPool<String> pool = new BoundedPool<>(List.of("a"), 1, Duration.ofMillis(50));
        try (BoundedPool.Lease<String> held = pool.acquire(IGNORE_WAIT)) {
            PoolRefusedException e = assertThrows(PoolRefusedException.class, () -> pool.acquire(IGNORE_WAIT));
            assertEquals(Kind.TIMED_OUT, e.kind());
        }
        assertEquals(0, pool.waiting());
    }

    @Test
    void waitersAreServedWhenItemsComeBackAndNeverExceedThePoolSize() throws Exception {
        BoundedPool<Integer> pool = new BoundedPool<>(List.of(1, 2), 8, Duration.ofSeconds(30));
        int[] maxInUse = new int[1];
        Concurrently.run(8, i -> {
            try (BoundedPool.Lease<Integer> lease = pool.acquire(IGNORE_WAIT)) {
                synchronized (maxInUse) {
                    maxInUse[0] = Math.max(maxInUse[0], pool.inUse());
                }
                Thread.sleep(5);
            }
        });
        assertTrue(maxInUse[0] <= 2);
        assertEquals(0, pool.inUse());
    }

    @Test
    void closingDrainsLeasedItemsThenRefusesNewLeases() throws Exception {
        BoundedPool<StringBuilder> pool = new BoundedPool<>(List.of(new StringBuilder()), 1, Duration.ofSeconds(1));
        BoundedPool.Lease<StringBuilder> lease = pool.acquire(IGNORE_WAIT);
        Thread returner = new Thread(() -> {
            sleep(100);
            lease.get().append("used");
            lease.close();
        });
        returner.start();
        List<String> closed = new ArrayList<>();
        pool.close(Duration.ofSeconds(10), item -> closed.add(item.toString()));
        assertEquals(List.of("used"), closed, "the in-flight item was returned and then closed");
        assertEquals(Kind.CLOSED, assertThrows(PoolRefusedException.class, () -> pool.acquire(IGNORE_WAIT)).kind());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
