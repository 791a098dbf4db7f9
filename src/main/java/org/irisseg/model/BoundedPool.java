package org.irisseg.model;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

import org.irisseg.model.PoolRefusedException.Kind;

/**
 * A fixed set of non-thread-safe resources (predictor sets) and a bounded wait queue in front of them:
 * at most {@code size} users at once, at most {@code queueCapacity} waiting, each waiting at most
 * {@code queueTimeout}. Excess load is refused at once ({@link Kind#QUEUE_FULL}) or after the timeout
 * ({@link Kind#TIMED_OUT}), so a burst costs a fast error instead of memory.
 */
public final class BoundedPool<T> implements AutoCloseable {

    private final BlockingQueue<T> idle;
    private final List<T> all;
    private final int queueCapacity;
    private final Duration queueTimeout;
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicInteger inUse = new AtomicInteger();
    private volatile boolean closed;

    public BoundedPool(List<T> items, int queueCapacity, Duration queueTimeout) {
        if (items.isEmpty()) {
            throw new IllegalArgumentException("A pool needs at least one item");
        }
        this.all = List.copyOf(items);
        this.idle = new ArrayBlockingQueue<>(items.size(), true, items);
        this.queueCapacity = queueCapacity;
        this.queueTimeout = queueTimeout;
    }

    /**
     * A lease on one item, returned to the pool on close.
     *
     * @param waited told the nanoseconds this call waited, once it has an item
     * @throws PoolRefusedException when the queue is full, no item came back in time, or the pool is closing
     */
    public Lease<T> acquire(LongConsumer waited) {
        long start = System.nanoTime();
        if (closed) {
            throw new PoolRefusedException(Kind.CLOSED, "The service is shutting down");
        }
        T item = waiting.get() == 0 ? idle.poll() : null;
        if (item == null) {
            if (waiting.incrementAndGet() > queueCapacity) {
                waiting.decrementAndGet();
                throw new PoolRefusedException(Kind.QUEUE_FULL, "All " + all.size()
                        + " inference slots are busy and " + queueCapacity + " requests are already waiting");
            }
            try {
                item = idle.poll(queueTimeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PoolRefusedException(Kind.TIMED_OUT, "Interrupted while waiting for an inference slot");
            } finally {
                waiting.decrementAndGet();
            }
            if (item == null) {
                throw new PoolRefusedException(Kind.TIMED_OUT, "No inference slot became free within "
                        + queueTimeout.toMillis() + " ms");
            }
        }
        inUse.incrementAndGet();
        waited.accept(System.nanoTime() - start);
        return new Lease<>(this, item);
    }

    /** Requests waiting for an item now. */
    public int waiting() {
        return waiting.get();
    }

    /** Items leased now. */
    public int inUse() {
        return inUse.get();
    }

    public int size() {
        return all.size();
    }

    private void release(T item) {
        inUse.decrementAndGet();
        idle.add(item);
    }

    /**
     * Refuses new leases, waits up to {@code drain} for the leased items to come back, then hands every
     * item to {@code closer}.
     */
    public void close(Duration drain, Consumer<T> closer) {
        closed = true;
        List<T> back = new ArrayList<>();
        long deadline = System.nanoTime() + drain.toNanos();
        while (back.size() < all.size()) {
            try {
                T item = idle.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (item == null) {
                    break;
                }
                back.add(item);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        back.forEach(closer);
    }

    @Override
    public void close() {
        close(Duration.ZERO, item -> { });
    }

    /** A borrowed item; close to give it back. */
    public static final class Lease<T> implements AutoCloseable {
        private final BoundedPool<T> pool;
        private final T item;
        private boolean returned;

        private Lease(BoundedPool<T> pool, T item) {
            this.pool = pool;
            this.item = item;
        }

        public T get() {
            if (returned) {
                throw new IllegalStateException("Lease already returned");
            }
            return item;
        }

        @Override
        public void close() {
            if (!returned) {
                returned = true;
                pool.release(item);
            }
        }
    }
}
