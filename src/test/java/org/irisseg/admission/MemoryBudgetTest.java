package org.irisseg.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.irisseg.admission.AdmissionRefusedException.Kind;
import org.irisseg.support.Concurrently;
import org.junit.jupiter.api.Test;

class MemoryBudgetTest {

    private static final long MIB = 1L << 20;

    /** A cost of about {@code mib} MiB (one copy of mib/4 Mi voxels). */
    private static MemoryCost mebibytes(long mib) {
        return new MemoryCost(mib * MIB / 4, 1, 1, 0);
    }

    @Test
    void aCostOverTheWholeBudgetIsTooLargeAndNamesTheLimit() {
        MemoryBudget budget = new MemoryBudget(100 * MIB, 4, Duration.ofSeconds(1));
        AdmissionRefusedException e = assertThrows(AdmissionRefusedException.class,
                () -> budget.reserve(mebibytes(101), "The image"));
        assertEquals(Kind.TOO_LARGE, e.kind());
        assertTrue(e.getMessage().contains("100.0 MiB (iris.admission.max-bytes)"), e.getMessage());
        assertEquals(0, budget.reservedBytes());
    }

    @Test
    void classesTimesVoxelsBeyondOneArrayAreTooLargeWhateverTheBudget() {
        MemoryBudget budget = new MemoryBudget(Long.MAX_VALUE, 4, Duration.ofSeconds(1));
        AdmissionRefusedException e = assertThrows(AdmissionRefusedException.class,
                () -> budget.requireFits(new MemoryCost(512L * 512 * 512, 32, 5, 2), "The image"));
        assertEquals(Kind.TOO_LARGE, e.kind());
    }

    @Test
    void aReservationIsHeldUntilClosedAndGivenBackOnce() {
        MemoryBudget budget = new MemoryBudget(100 * MIB, 4, Duration.ofSeconds(1));
        MemoryBudget.Reservation held = budget.reserve(mebibytes(60), "a");
        assertEquals(60 * MIB, budget.reservedBytes());
        held.close();
        held.close();
        assertEquals(0, budget.reservedBytes());
    }

    @Test
    void aRequestWaitsForMemoryToComeBack() throws Exception {
        MemoryBudget budget = new MemoryBudget(100 * MIB, 4, Duration.ofSeconds(10));
        MemoryBudget.Reservation held = budget.reserve(mebibytes(60), "first");
        Thread releaser = new Thread(() -> {
            sleep(200);
            held.close();
        });
        long start = System.nanoTime();
        releaser.start();
        try (MemoryBudget.Reservation second = budget.reserve(mebibytes(60), "second")) {
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(150), "waited for the first");
            assertEquals(60 * MIB, budget.reservedBytes());
        }
        releaser.join();
    }

    @Test
    void aRequestThatGetsNoMemoryInTimeIsRefusedAsTimedOut() {
        MemoryBudget budget = new MemoryBudget(100 * MIB, 4, Duration.ofMillis(50));
        try (MemoryBudget.Reservation held = budget.reserve(mebibytes(60), "first")) {
            AdmissionRefusedException e = assertThrows(AdmissionRefusedException.class,
                    () -> budget.reserve(mebibytes(60), "second"));
            assertEquals(Kind.TIMED_OUT, e.kind());
        }
        assertEquals(0, budget.waiting());
        assertEquals(0, budget.reservedBytes());
    }

    @Test
    void moreWaitersThanTheQueueAllowsAreRefusedAtOnce() {
        MemoryBudget budget = new MemoryBudget(100 * MIB, 0, Duration.ofSeconds(10));
        try (MemoryBudget.Reservation held = budget.reserve(mebibytes(60), "first")) {
            long start = System.nanoTime();
            AdmissionRefusedException e = assertThrows(AdmissionRefusedException.class,
                    () -> budget.reserve(mebibytes(60), "second"));
            assertEquals(Kind.QUEUE_FULL, e.kind());
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "refused without waiting");
        }
    }

    @Test
    void concurrentRequestsNeverHoldMoreThanTheBudget() throws Exception {
        MemoryBudget budget = new MemoryBudget(100 * MIB, 16, Duration.ofSeconds(30));
        AtomicLong most = new AtomicLong();
        Concurrently.run(8, i -> {
            try (MemoryBudget.Reservation r = budget.reserve(mebibytes(20 + 10 * (i % 4)), "request")) {
                most.accumulateAndGet(budget.reservedBytes(), Math::max);
                Thread.sleep(5);
            }
        });
        assertTrue(most.get() <= 100 * MIB, "held at most " + most.get());
        assertEquals(0, budget.reservedBytes());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
