package org.irisseg.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.irisseg.support.Hippocampus;
import org.irisseg.support.IrisIntegrationTest;
import org.irisseg.support.Multipart;
import org.irisseg.support.ProblemAssertions;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The per-task locks: requests for tasks that do not exist leave none behind, and a lock stays exclusive. */
class TaskLocksTest extends IrisIntegrationTest {

    @Autowired
    TaskService tasks;

    @Autowired
    TaskCache cache;

    @Test
    void sixHundredRequestsForMissingTasksLeaveTheLockMapAsItWas() {
        int before = tasks.lockedIds();
        for (int i = 0; i < 600; i++) {
            String id = (i % 2 == 0 ? UUID.randomUUID().toString() : "x".repeat(4000 - 4) + String.format("%04d", i));
            int status = i % 3 == 0
                    ? client().delete("/api/v1/tasks/" + id).statusCode()
                    : client().post("/api/v1/segmentations", Multipart.form()
                            .file("image", "q.nii", org.irisseg.support.NiftiBytes.volume(8, 8, 8).blob().nii())
                            .field("taskId", id), "application/json").statusCode();
            assertTrue(status == 404 || status == 400, "status " + status);
        }
        assertEquals(before, tasks.lockedIds());
    }

    @Test
    void aRefusedReEncodingLeavesNoLockBehind() throws Exception {
        String id = registerHippocampus("refused", Hippocampus.REFERENCES.subList(0, 1));
        cache.save(ModelVersionTest.asIfEncodedBy(cache.find(id).orElseThrow(), "iris-small@0.0.0-old", false));
        int before = tasks.lockedIds();

        ProblemAssertions.assertProblem(client().post("/api/v1/segmentations", Multipart.form()
                .file("image", Hippocampus.image(Hippocampus.QUERIES.get(0))).field("taskId", id)
                .field("mode", "one-shot"), "application/json"), 409, "model-version-mismatch");

        assertEquals(before, tasks.lockedIds());
    }

    @Test
    void aLockIsExclusiveWhileHeldAndForgottenOnceFree() throws Exception {
        TaskLocks locks = new TaskLocks();
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(8);
        for (int t = 0; t < 8; t++) {
            new Thread(() -> {
                for (int i = 0; i < 200; i++) {
                    try (TaskLocks.Held held = locks.lock("task")) {
                        most.accumulateAndGet(inside.incrementAndGet(), Math::max);
                        Thread.onSpinWait();
                        inside.decrementAndGet();
                    }
                }
                done.countDown();
            }).start();
        }
        assertTrue(done.await(30, TimeUnit.SECONDS));
        assertEquals(1, most.get());
        assertEquals(0, locks.size());
    }
}
