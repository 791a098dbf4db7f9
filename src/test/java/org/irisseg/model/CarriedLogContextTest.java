package org.irisseg.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class CarriedLogContextTest {

    private ExecutorService other;

    @BeforeEach
    void startOtherThread() {
        other = Executors.newSingleThreadExecutor();
    }

    @AfterEach
    void stop() {
        other.shutdownNow();
        MDC.clear();
    }

    @Test
    void workOnAnotherThreadLogsWithTheRequestIdOfTheThreadThatHandedItOver() throws Exception {
        MDC.put("requestId", "call-1");
        assertEquals("call-1", other.submit(CarriedLogContext.carry(() -> MDC.get("requestId"))).get());
    }

    @Test
    void theContextIsTakenWhenTheWorkIsHandedOverNotWhenItRuns() throws Exception {
        MDC.put("requestId", "call-1");
        var work = CarriedLogContext.carry(() -> MDC.get("requestId"));
        MDC.put("requestId", "call-2");
        assertEquals("call-1", other.submit(work).get());
    }

    @Test
    void theOtherThreadKeepsNoRequestIdAfterTheWork() throws Exception {
        MDC.put("requestId", "call-1");
        other.submit(CarriedLogContext.carry(() -> null)).get();
        assertNull(other.submit(() -> MDC.get("requestId")).get());
    }

    @Test
    void theOtherThreadGetsItsOwnContextBackWhenTheWorkFails() throws Exception {
        other.submit(() -> MDC.put("thread", "inference-1")).get();
        MDC.put("requestId", "call-1");
        var failing = CarriedLogContext.carry(() -> {
            throw new IllegalStateException("decoder failed");
        });
        assertThrows(ExecutionException.class, () -> other.submit(failing).get());
        assertNull(other.submit(() -> MDC.get("requestId")).get());
        assertEquals("inference-1", other.submit(() -> MDC.get("thread")).get());
    }

    @Test
    void workHandedOverWithoutAContextRunsWithout() throws Exception {
        other.submit(() -> MDC.put("requestId", "stale")).get();
        MDC.clear();
        assertNull(other.submit(CarriedLogContext.carry(() -> MDC.get("requestId"))).get());
    }
}
