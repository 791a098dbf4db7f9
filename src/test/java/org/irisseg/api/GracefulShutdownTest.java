package org.irisseg.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.irisseg.IrisApplication;
import org.irisseg.model.BoundedPool;
import org.irisseg.model.InferenceSession;
import org.irisseg.model.InferenceTimings;
import org.irisseg.model.ModelRuntime;
import org.irisseg.support.IrisClient;
import org.irisseg.support.Multipart;
import org.irisseg.support.NiftiBytes;
import org.irisseg.support.TestPaths;
import org.irisseg.support.TestServices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** Shutting the service down lets a request already in flight finish, then stops taking requests. */
class GracefulShutdownTest {

    @TempDir
    Path store;

    @Test
    void aRequestInFlightWhenShutdownBeginsIsAnsweredInFull() throws Exception {
        Path modelDir = TestPaths.assumeModel();
        ConfigurableApplicationContext service = new SpringApplicationBuilder(IrisApplication.class).run(
                TestServices.args("--server.port=0", "--iris.store.dir=" + store, "--iris.model.dir=" + modelDir,
                        "--iris.inference.max-concurrent=1", "--spring.jmx.enabled=false"));
        try {
            ModelRuntime model = service.getBean(ModelRuntime.class);
            assertTrue(model.awaitReady(Duration.ofMinutes(5)), model.failure());
            IrisClient client = new IrisClient(TestServices.port(service));
            String task = client.registerTask(Multipart.form().field("name", "ball")
                    .file("references", "ball.nii", NiftiBytes.volume(16, 16, 16).blob().nii())
                    .file("masks", "mask.nii", NiftiBytes.volume(16, 16, 16).twoLabelBall(3).nii()));

            CompletableFuture<HttpResponse<byte[]>> inFlight;
            CompletableFuture<Void> shutdown;
            try (BoundedPool.Lease<InferenceSession> held = model.lease(new InferenceTimings())) {
                // the request is accepted and waits for the predictor set this test holds
                inFlight = CompletableFuture.supplyAsync(() -> client.post("/api/v1/segmentations", Multipart.form()
                        .file("image", "query.nii", NiftiBytes.volume(16, 16, 16).blob().nii()).field("taskId", task),
                        "application/json"));
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (model.waiting() == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                assertEquals(1, model.waiting(), "the request is in flight");
                shutdown = CompletableFuture.runAsync(service::close);
                Thread.sleep(500);
                assertFalse(shutdown.isDone(), "shutdown waits for the request in flight");
            }

            HttpResponse<byte[]> answer = inFlight.get(1, TimeUnit.MINUTES);
            assertEquals(200, answer.statusCode(), new String(answer.body()));
            assertEquals(2, IrisClient.json(answer).path("classes").size());
            shutdown.get(1, TimeUnit.MINUTES);
            assertThrows(UncheckedIOException.class, () -> client.get("/api/v1/catalogue"),
                    "a stopped service takes no requests");
        } finally {
            if (service.isActive()) {
                service.close();
            }
        }
    }
}
