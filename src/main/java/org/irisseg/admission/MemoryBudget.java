package org.irisseg.admission;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.irisseg.admission.AdmissionRefusedException.Kind;
import org.irisseg.config.IrisProperties;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * A byte budget for the heap that decoding and inference hold ({@code iris.admission.max-bytes}, by
 * default half the JVM's maximum heap). A request reserves its {@link MemoryCost} before any volume is
 * decoded and gives it back when done, so excess load is refused (413 when it can never fit, 429/503
 * with Retry-After when the budget is busy) instead of ending in an out-of-memory exit. Reservations are
 * served first come, first served; at most {@code queueCapacity} requests wait, each at most
 * {@code queueTimeout} (the inference queue's settings).
 */
@Component
public class MemoryBudget {

    /** Granularity of reservations (a semaphore counts ints). */
    private static final long UNIT_BYTES = 1024;

    private final long limitBytes;
    private final Semaphore units;
    private final int queueCapacity;
    private final Duration queueTimeout;
    private final AtomicInteger waiting = new AtomicInteger();

    @Autowired
    public MemoryBudget(IrisProperties properties, MeterRegistry registry) {
        this(properties.admission().maxBytesOr(Runtime.getRuntime().maxMemory()),
                properties.inference().queueCapacity(), properties.inference().queueTimeout());
        Gauge.builder("iris.admission.memory.limit", this, MemoryBudget::limitBytes).baseUnit("bytes")
                .description("Heap that decoding and inference may hold at once").register(registry);
        Gauge.builder("iris.admission.memory.reserved", this, MemoryBudget::reservedBytes).baseUnit("bytes")
                .description("Heap reserved by requests being decoded or segmented now").register(registry);
        Gauge.builder("iris.admission.memory.waiting", waiting, AtomicInteger::get)
                .description("Requests waiting for memory").register(registry);
    }

    public MemoryBudget(long limitBytes, int queueCapacity, Duration queueTimeout) {
        if (limitBytes < UNIT_BYTES) {
            throw new IllegalArgumentException("the memory budget must be at least " + UNIT_BYTES + " bytes");
        }
        this.limitBytes = Math.min(limitBytes, Integer.MAX_VALUE * UNIT_BYTES);
        this.units = new Semaphore((int) (this.limitBytes / UNIT_BYTES), true);
        this.queueCapacity = queueCapacity;
        this.queueTimeout = queueTimeout;
    }

    public long limitBytes() {
        return limitBytes;
    }

    /** Bytes reserved now. */
    public long reservedBytes() {
        return (limitBytes / UNIT_BYTES - units.availablePermits()) * UNIT_BYTES;
    }

    /**
     * Refuses at once what could never be admitted, before any work is done for it.
     *
     * @param what names the request in the message, e.g. "Reference 2 (512x512x512 voxels, 3 classes)"
     * @throws AdmissionRefusedException {@link Kind#TOO_LARGE}
     */
    public void requireFits(MemoryCost cost, String what) {
        if (!cost.fitsInArrays()) {
            throw new AdmissionRefusedException(Kind.TOO_LARGE, what + " has " + cost.classes() + " classes of "
                    + cost.voxels() + " voxels, more values than one array holds (" + MemoryCost.MAX_ARRAY_LENGTH
                    + "); use a smaller volume or fewer classes");
        }
        if (cost.bytes() > limitBytes) {
            throw new AdmissionRefusedException(Kind.TOO_LARGE, what + " needs about " + human(cost.bytes())
                    + " of memory to decode and segment, more than this service's memory budget of "
                    + human(limitBytes) + " (iris.admission.max-bytes); use a smaller volume or fewer classes");
        }
    }

    /**
     * Reserves the cost, waiting in turn while the budget is in use.
     *
     * @throws AdmissionRefusedException TOO_LARGE (see {@link #requireFits}), QUEUE_FULL when too many wait,
     *                                   TIMED_OUT when the memory did not come free in time
     */
    public Reservation reserve(MemoryCost cost, String what) {
        requireFits(cost, what);
        int needed = (int) Math.max(1, (cost.bytes() + UNIT_BYTES - 1) / UNIT_BYTES);
        if (waiting.get() == 0 && units.tryAcquire(needed)) {
            return new Reservation(needed);
        }
        if (waiting.incrementAndGet() > queueCapacity) {
            waiting.decrementAndGet();
            throw new AdmissionRefusedException(Kind.QUEUE_FULL, "The memory budget (" + human(limitBytes)
                    + ") is in use and " + queueCapacity + " requests already wait for it");
        }
        try {
            if (!units.tryAcquire(needed, queueTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new AdmissionRefusedException(Kind.TIMED_OUT, what + " waited " + queueTimeout.toMillis()
                        + " ms for " + human(cost.bytes()) + " of the memory budget (" + human(limitBytes) + ")");
            }
            return new Reservation(needed);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AdmissionRefusedException(Kind.TIMED_OUT, "Interrupted while waiting for memory");
        } finally {
            waiting.decrementAndGet();
        }
    }

    /** Requests waiting for memory now. */
    public int waiting() {
        return waiting.get();
    }

    static String human(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
        }
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
    }

    /** Memory held by one request; closing gives it back (once). */
    public final class Reservation implements AutoCloseable {
        private final int held;
        private boolean released;

        private Reservation(int held) {
            this.held = held;
        }

        public long bytes() {
            return held * UNIT_BYTES;
        }

        @Override
        public void close() {
            if (!released) {
                released = true;
                units.release(held);
            }
        }
    }
}
