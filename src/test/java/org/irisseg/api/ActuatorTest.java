package org.irisseg.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;

import org.irisseg.support.Hippocampus;
import org.irisseg.support.IrisClient;
import org.irisseg.support.IrisIntegrationTest;
import org.irisseg.support.Multipart;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/** Probes, info and Prometheus metrics of the running service. */
class ActuatorTest extends IrisIntegrationTest {

    @Test
    void livenessIsUpAndReadinessFollowsTheModel() throws Exception {
        assertEquals("UP", IrisClient.json(managementClient().get("/actuator/health/liveness")).path("status").asString());
        assumeModelReady();
        HttpResponse<byte[]> readiness = managementClient().get("/actuator/health/readiness");
        assertEquals(200, readiness.statusCode());
        assertEquals("UP", IrisClient.json(readiness).path("status").asString());
        assertEquals(model.modelVersion(),
                IrisClient.json(managementClient().get("/actuator/info")).path("model").path("version").asString());
    }

    @Test
    void diskHealthAndDiskGaugesWatchTheTaskStoreNotTheWorkingDirectory() {
        String store = STORE.toFile().getAbsolutePath();
        JsonNode disk = IrisClient.json(managementClient().get("/actuator/health")).path("components").path("diskSpace");
        assertEquals("UP", disk.path("status").asString());
        assertEquals(store, disk.path("details").path("path").asString());
        String metrics = new String(managementClient().get("/actuator/prometheus").body());
        for (String gauge : new String[] {"disk_free_bytes", "disk_total_bytes"}) {
            assertTrue(metrics.lines().anyMatch(l -> l.startsWith(gauge + "{") && l.contains("path=\"" + store + "\"")),
                    gauge + " of " + store);
        }
    }

    @Test
    void prometheusExposesStageQueueTaskCacheAndEndpointHistograms() throws Exception {
        String task = registerHippocampus("metrics", Hippocampus.REFERENCES.subList(0, 1));
        for (String mode : new String[] {"one-shot", "retrieval"}) {
            assertEquals(200, client().post("/api/v1/segmentations", Multipart.form()
                    .file("image", Hippocampus.image(Hippocampus.QUERIES.get(1))).field("taskId", task)
                    .field("mode", mode), "application/json").statusCode());
        }
        String metrics = new String(managementClient().get("/actuator/prometheus").body());
        for (String expected : new String[] {
                "iris_inference_stage_seconds_bucket{application=\"iris-service\",stage=\"image-encoding\"",
                "iris_inference_stage_seconds_bucket{application=\"iris-service\",stage=\"task-encoding\"",
                "iris_inference_stage_seconds_bucket{application=\"iris-service\",stage=\"decoding\"",
                "iris_inference_queue_wait_seconds_bucket",
                "iris_inference_queue_waiting",
                "iris_segmentation_seconds_bucket{application=\"iris-service\",mode=\"retrieval\"",
                "cache_gets_total{application=\"iris-service\",cache=\"task-cache\",result=\"hit\"",
                "cache_gets_total{application=\"iris-service\",cache=\"task-cache\",result=\"miss\"",
                "cache_size{application=\"iris-service\",cache=\"task-cache\"",
                "iris_task_cache_bytes",
                "http_server_requests_seconds_bucket"}) {
            assertTrue(metrics.contains(expected), "missing " + expected);
        }
    }
}
