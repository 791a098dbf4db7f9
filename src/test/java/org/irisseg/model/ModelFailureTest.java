package org.irisseg.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;

import org.irisseg.IrisApplication;
import org.irisseg.config.IrisProperties;
import org.irisseg.support.IrisClient;
import org.irisseg.support.Multipart;
import org.irisseg.support.NiftiBytes;
import org.irisseg.support.ProblemAssertions;
import org.irisseg.support.TestModels;
import org.irisseg.support.TestServices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import tools.jackson.databind.json.JsonMapper;

/** A model that is missing or does not work: the service says so instead of waiting for readiness. */
class ModelFailureTest {

    @TempDir
    Path store;

    private IrisProperties properties(Path modelDir) {
        return new IrisProperties(new IrisProperties.Model(modelDir, IrisProperties.Device.CPU),
                IrisProperties.Store.files(store), new IrisProperties.Nifti(1 << 20, 1 << 24),
                new IrisProperties.Inference(1, 1, Duration.ofSeconds(1)), new IrisProperties.TaskCache(1 << 20),
                new IrisProperties.Admission(null, 32));
    }

    private static Throwable rootCause(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }

    @Test
    void aMissingModelDirectoryStopsTheStartUpAndNamesWhereItLooked() {
        Path absent = store.resolve("no-model-here");
        Exception e = assertThrows(Exception.class, () -> new SpringApplicationBuilder(IrisApplication.class)
                .run(TestServices.args("--server.port=0", "--iris.store.dir=" + store, "--iris.model.dir=" + absent,
                        "--spring.jmx.enabled=false")).close());
        Throwable root = rootCause(e);
        assertTrue(root instanceof ModelDirectory.NotFound, root.toString());
        assertTrue(root.getMessage().contains(absent.toString()), root.getMessage());
    }

    @Test
    void aModelThatFailsItsWarmUpIsNeverReadyAndSaysWhy() throws Exception {
        ModelRuntime runtime = new ModelRuntime(properties(TestModels.claimingAnotherEmbeddingSize()),
                JsonMapper.builder().build());
        runtime.start();
        try {
            assertFalse(runtime.awaitReady(Duration.ofMinutes(5)));
            assertEquals(ModelRuntime.State.FAILED, runtime.state());
            assertTrue(runtime.failure().contains("Task encoder returned"), runtime.failure());
            ModelNotReadyException refused = assertThrows(ModelNotReadyException.class,
                    () -> runtime.lease(new InferenceTimings()));
            assertEquals(ModelRuntime.State.FAILED, refused.state());
        } finally {
            runtime.destroy();
        }
    }

    @Test
    void requestsToAServiceWhoseModelFailedAreModelNotReadyWithoutRetryAfter() throws Exception {
        Path brokenModel = TestModels.withoutModules();
        try (ConfigurableApplicationContext service = new SpringApplicationBuilder(IrisApplication.class)
                .run(TestServices.args("--server.port=0", "--iris.store.dir=" + store,
                        "--iris.model.dir=" + brokenModel, "--spring.jmx.enabled=false"))) {
            ModelRuntime runtime = service.getBean(ModelRuntime.class);
            assertFalse(runtime.awaitReady(Duration.ofMinutes(1)));
            IrisClient client = new IrisClient(TestServices.port(service));
            var response = client.post("/api/v1/tasks", Multipart.form().field("name", "ball")
                    .file("references", "ball.nii", NiftiBytes.volume(12, 12, 12).blob().nii())
                    .file("masks", "mask.nii", NiftiBytes.volume(12, 12, 12).twoLabelBall(3).nii()), null);
            ProblemAssertions.assertProblem(response, 503, "model-not-ready");
            assertTrue(response.headers().firstValue("Retry-After").isEmpty(), "retrying will not help");
        }
    }
}
