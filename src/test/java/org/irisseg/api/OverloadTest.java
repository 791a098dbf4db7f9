package org.irisseg.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.irisseg.admission.MemoryBudget;
import org.irisseg.admission.MemoryCost;
import org.irisseg.model.BoundedPool;
import org.irisseg.model.InferenceSession;
import org.irisseg.model.InferenceTimings;
import org.irisseg.model.ModelRuntime;
import org.irisseg.support.IrisClient;
import org.irisseg.support.Multipart;
import org.irisseg.support.NiftiBytes;
import org.irisseg.support.ProblemAssertions;
import org.irisseg.support.TestPaths;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Backpressure over HTTP: one predictor set, room for one waiting request, a 2 s queue timeout. The test
 * holds the only predictor set (or the whole memory budget) itself, so the queue is full or the wait
 * times out for certain.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "iris.inference.max-concurrent=1", "iris.inference.queue-capacity=1", "iris.inference.queue-timeout=2s",
        "spring.jmx.enabled=false", "iris.security.api-keys=" + IrisClient.API_KEYS})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class OverloadTest {

    private static String taskId;

    @LocalServerPort
    int port;

    @Autowired
    ModelRuntime model;

    @Autowired
    MemoryBudget budget;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        Path store = Files.createDirectories(TestPaths.repositoryRoot().resolve("target/test-stores")
                .resolve("overload-" + UUID.randomUUID()));
        registry.add("iris.store.dir", store::toString);
        registry.add("iris.model.dir", () -> TestPaths.modelDir().toString());
    }

    @BeforeEach
    void registerOnce() throws Exception {
        TestPaths.assumeModel();
        assertTrue(model.awaitReady(Duration.ofMinutes(5)), model.failure());
        if (taskId == null) {
            taskId = client().registerTask(Multipart.form().field("name", "ball")
                    .file("references", "ball.nii", NiftiBytes.volume(16, 16, 16).blob().nii())
                    .file("masks", "mask.nii", NiftiBytes.volume(16, 16, 16).twoLabelBall(3).nii()));
        }
    }

    private IrisClient client() {
        return new IrisClient(port);
    }

    private HttpResponse<byte[]> segment() {
        return client().post("/api/v1/segmentations", Multipart.form()
                .file("image", "query.nii", NiftiBytes.volume(16, 16, 16).blob().nii()).field("taskId", taskId),
                "application/json");
    }

    @Test
    void aRequestFindingTheQueueFullIsRefusedAtOnceWith429AndRetryAfter() throws Exception {
        CompletableFuture<HttpResponse<byte[]>> waiting;
        try (BoundedPool.Lease<InferenceSession> held = model.lease(new InferenceTimings())) {
            waiting = CompletableFuture.supplyAsync(this::segment);
            long deadline = System.nanoTime() + Duration.ofSeconds(1).toNanos();
            while (model.waiting() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(1, model.waiting(), "the first request waits in the queue");

            HttpResponse<byte[]> refused = segment();

            ProblemAssertions.assertProblem(refused, 429, "overloaded");
            assertEquals("2", refused.headers().firstValue("Retry-After").orElseThrow());
        }
        assertEquals(200, waiting.get().statusCode(), "the waiting request is served once the set is free");
    }

    /** Holds the whole memory budget until closed. */
    private MemoryBudget.Reservation holdAllMemory() {
        return budget.reserve(new MemoryCost(budget.limitBytes() / 4, 1, 1, 0), "test");
    }

    @Test
    void aRequestFindingTheMemoryBudgetInUseAndItsQueueFullIsRefusedWith429AndRetryAfter() throws Exception {
        CompletableFuture<HttpResponse<byte[]>> waiting;
        try (MemoryBudget.Reservation held = holdAllMemory()) {
            waiting = CompletableFuture.supplyAsync(this::segment);
            long deadline = System.nanoTime() + Duration.ofSeconds(1).toNanos();
            while (budget.waiting() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(1, budget.waiting(), "the first request waits for memory");

            HttpResponse<byte[]> refused = segment();

            ProblemAssertions.assertProblem(refused, 429, "overloaded");
            assertEquals("2", refused.headers().firstValue("Retry-After").orElseThrow());
        }
        assertEquals(200, waiting.get().statusCode(), "the waiting request is served once the memory is back");
    }

    @Test
    void aRequestWaitingLongerThanTheQueueTimeoutForMemoryGets503MemoryBusyAndRetryAfter() {
        HttpResponse<byte[]> timedOut;
        try (MemoryBudget.Reservation held = holdAllMemory()) {
            timedOut = segment();
        }
        ProblemAssertions.assertProblem(timedOut, 503, "memory-busy");
        assertEquals("2", timedOut.headers().firstValue("Retry-After").orElseThrow());
    }

    @Test
    void aRequestWaitingLongerThanTheQueueTimeoutGets503AndRetryAfter() {
        HttpResponse<byte[]> timedOut;
        try (BoundedPool.Lease<InferenceSession> held = model.lease(new InferenceTimings())) {
            timedOut = segment();
        }
        ProblemAssertions.assertProblem(timedOut, 503, "queue-timeout");
        assertEquals("2", timedOut.headers().firstValue("Retry-After").orElseThrow());
    }
}
