package org.irisseg.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.irisseg.nifti.NiftiLimits;
import org.irisseg.nifti.NiftiReader;
import org.irisseg.support.Hippocampus;
import org.irisseg.support.IrisIntegrationTest;
import org.irisseg.support.Multipart;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Parallel requests (more than there are predictor sets) all succeed and equal sequential answers. */
@Tag("slow")
class ConcurrentSegmentationTest extends IrisIntegrationTest {

    private static final int PARALLEL = 6;

    @Test
    void parallelRequestsGiveTheSameMasksAsSequentialOnes() throws Exception {
        String task = registerHippocampus("parallel", Hippocampus.REFERENCES);
        List<Callable<float[]>> calls = new ArrayList<>();
        for (int i = 0; i < PARALLEL; i++) {
            String query = Hippocampus.QUERIES.get(i % 3);
            String mode = i % 2 == 0 ? "one-shot" : "retrieval";
            calls.add(() -> labels(client().post("/api/v1/segmentations", Multipart.form()
                    .file("image", Hippocampus.image(query)).field("taskId", task).field("mode", mode), null)));
        }
        List<float[]> sequential = new ArrayList<>();
        for (Callable<float[]> call : calls) {
            sequential.add(call.call());
        }
        ExecutorService pool = Executors.newFixedThreadPool(PARALLEL);
        try {
            List<Future<float[]>> parallel = pool.invokeAll(calls, 5, TimeUnit.MINUTES);
            for (int i = 0; i < PARALLEL; i++) {
                assertArrayEquals(sequential.get(i), parallel.get(i).get(), "request " + i);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** The label map of a response; an empty one fails (equal empty masks would prove nothing). */
    private static float[] labels(HttpResponse<byte[]> response) {
        assertEquals(200, response.statusCode(), new String(response.body()));
        float[] labels = new NiftiReader(NiftiLimits.defaults()).readLabelMap(new ByteArrayInputStream(response.body()))
                .data();
        float max = 0;
        for (float v : labels) {
            max = Math.max(max, v);
        }
        assertTrue(max > 0, "the segmentation found nothing");
        return labels;
    }
}
