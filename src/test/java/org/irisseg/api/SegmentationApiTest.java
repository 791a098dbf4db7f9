package org.irisseg.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.irisseg.nifti.NiftiHeader;
import org.irisseg.nifti.NiftiImage;
import org.irisseg.nifti.NiftiLimits;
import org.irisseg.nifti.NiftiReader;
import org.irisseg.nifti.NiftiWriter;
import org.irisseg.support.Hippocampus;
import org.irisseg.support.IrisClient;
import org.irisseg.support.IrisIntegrationTest;
import org.irisseg.support.Multipart;
import org.irisseg.support.ProblemAssertions;
import org.irisseg.volume.VoxelSize;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/** The segmentations resource over real HTTP with the real model and hippocampus data. */
class SegmentationApiTest extends IrisIntegrationTest {

    private static final NiftiReader READER = new NiftiReader(NiftiLimits.defaults());
    private static String taskId;

    private final String query = Hippocampus.QUERIES.get(0);

    @BeforeEach
    void registerOnce() throws Exception {
        if (taskId == null) {
            taskId = registerHippocampus("hippocampus", Hippocampus.REFERENCES);
        }
    }

    private HttpResponse<byte[]> segment(Multipart form, String accept) {
        return client().post("/api/v1/segmentations", form, accept);
    }

    private Multipart form(String mode) {
        return Multipart.form().file("image", Hippocampus.image(query)).field("taskId", taskId).field("mode", mode);
    }

    @Test
    void theLabelMapIsOnTheQuerysGridWithTheTasksLabelsAndItsVolumesInTheHeaders() throws Exception {
        HttpResponse<byte[]> response = segment(form("ensemble"), null);
        assertEquals(200, response.statusCode(), new String(response.body()));
        assertEquals("application/gzip", response.headers().firstValue("Content-Type").orElseThrow());
        NiftiImage queryImage = READER.readImage(Hippocampus.image(query));
        NiftiImage labels = READER.readLabelMap(new ByteArrayInputStream(response.body()));
        assertArrayEquals(queryImage.dims(), labels.dims());
        for (int r = 0; r < 4; r++) {
            assertArrayEquals(queryImage.affine()[r], labels.affine()[r], 1e-5);
        }
        Map<Integer, Long> counts = counts(labels.data());
        assertEquals(Set.of(0, 1, 2), counts.keySet(), "background and both classes, nothing else");

        double voxelMl = VoxelSize.millilitres(queryImage.header());
        String volumes = response.headers().firstValue("Iris-Volumes-mL").orElseThrow();
        assertEquals(String.format(Locale.ROOT, "1=%.4f, 2=%.4f", counts.getOrDefault(1, 0L) * voxelMl,
                counts.getOrDefault(2, 0L) * voxelMl), volumes);
        String timing = response.headers().firstValue("Server-Timing").orElseThrow();
        for (String stage : new String[] {"queue", "image-encoding", "task-encoding", "decoding", "total"}) {
            assertTrue(timing.contains(stage + ";dur="), timing);
        }
        assertEquals(taskId, response.headers().firstValue("Iris-Task-Id").orElseThrow());
        assertEquals("ensemble", response.headers().firstValue("Iris-Mode").orElseThrow());
    }

    @Test
    void jsonGivesTheSameStatisticsWithoutTheMask() {
        HttpResponse<byte[]> gz = segment(form("one-shot"), "application/gzip");
        HttpResponse<byte[]> json = segment(form("one-shot"), "application/json");
        assertEquals(200, json.statusCode(), new String(json.body()));
        assertTrue(json.headers().firstValue("Content-Type").orElseThrow().startsWith("application/json"));
        Map<Integer, Long> counts = counts(READER.readLabelMap(new ByteArrayInputStream(gz.body())).data());
        JsonNode stats = IrisClient.json(json);
        assertEquals("one-shot", stats.path("mode").asString());
        assertEquals(model.modelVersion(), stats.path("modelVersion").asString());
        assertEquals(List.of(1, 2), stats.path("classes").valueStream().map(c -> c.path("label").asInt()).toList());
        for (JsonNode c : stats.path("classes")) {
            long voxels = counts.getOrDefault(c.path("label").asInt(), 0L);
            assertTrue(voxels > 0, "class " + c + " found nothing");
            assertEquals(voxels, c.path("voxels").asLong());
            assertEquals(voxels * stats.path("voxelVolumeMl").asDouble(), c.path("volumeMl").asDouble(), 1e-9);
        }
        assertTrue(stats.path("timings").path("imageEncodingMs").asDouble() > 0);
        assertEquals(0.0, stats.path("timings").path("taskEncodingMs").asDouble(), "no re-encoding of the task");
    }

    @Test
    void theOutputQueryParameterChoosesTheAnswerWhateverTheOrderOfAccept() {
        HttpResponse<byte[]> response = client().post("/api/v1/segmentations?output=statistics", form("one-shot"),
                "application/gzip, application/json");
        assertEquals(200, response.statusCode(), new String(response.body()));
        assertTrue(response.headers().firstValue("Content-Type").orElseThrow().startsWith("application/json"));
        assertEquals("one-shot", IrisClient.json(response).path("mode").asString());
    }

    @Test
    void anOutputThatAcceptRefusesIsNotAcceptable() {
        ProblemAssertions.assertProblem(client().post("/api/v1/segmentations?output=statistics", form("one-shot"),
                "application/gzip"), 406, "not-acceptable");
    }

    private JsonNode referencesUsed(Multipart form) {
        HttpResponse<byte[]> response = segment(form, "application/json");
        assertEquals(200, response.statusCode(), new String(response.body()));
        return IrisClient.json(response).path("referencesUsed");
    }

    @Test
    void oneShotUsesOnlyTheChosenReferenceForEveryClass() {
        assertEquals("{\"1\":[2],\"2\":[2]}", referencesUsed(form("one-shot").field("referenceIndex", "2")).toString());
    }

    @Test
    void ensembleUsesTheWholePoolForEveryClass() {
        assertEquals("{\"1\":[0,1,2],\"2\":[0,1,2]}", referencesUsed(form("ensemble")).toString());
    }

    @Test
    void aClassSubsetOnlySegmentsThoseClasses() {
        HttpResponse<byte[]> response = segment(form("ensemble").field("classes", "posterior"), null);
        assertEquals(200, response.statusCode(), new String(response.body()));
        Map<Integer, Long> counts = counts(READER.readLabelMap(new ByteArrayInputStream(response.body())).data());
        assertEquals(Set.of(0, 2), counts.keySet(), "background and the posterior class only");
        assertEquals(String.format(Locale.ROOT, "2=%.4f", counts.get(2) * VoxelSize.millilitres(
                READER.readImage(Hippocampus.image(query)).header())),
                response.headers().firstValue("Iris-Volumes-mL").orElseThrow());
    }

    @Test
    void aFlippedCopyOfTheQueryGetsTheFlippedLabelMap() throws Exception {
        NiftiImage original = READER.readImage(Hippocampus.image(query));
        NiftiImage flipped = flipX(original);
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        new NiftiWriter().writeImage(file, flipped.header(), flipped.data());

        HttpResponse<byte[]> a = segment(form("one-shot"), null);
        HttpResponse<byte[]> b = segment(Multipart.form().file("image", "flipped.nii.gz", file.toByteArray())
                .field("taskId", taskId).field("mode", "one-shot"), null);
        assertEquals(200, b.statusCode(), new String(b.body()));
        NiftiImage labelsA = READER.readLabelMap(new ByteArrayInputStream(a.body()));
        NiftiImage labelsB = READER.readLabelMap(new ByteArrayInputStream(b.body()));
        assertEquals(Set.of(0, 1, 2), counts(labelsA.data()).keySet(), "both classes found");
        assertArrayEquals(flipX(labelsA).data(), labelsB.data(), "same anatomy, same labels, on each file's grid");
        for (int r = 0; r < 4; r++) {
            assertArrayEquals(flipped.affine()[r], labelsB.affine()[r], 1e-4);
        }
    }

    @Test
    void badParametersAreProblems() {
        ProblemAssertions.assertProblem(segment(form("oneshot"), null), 400, "invalid-parameter");
        ProblemAssertions.assertProblem(segment(form("retrieval").field("k", "0"), null), 400, "invalid-parameter");
        ProblemAssertions.assertProblem(segment(form("ensemble").field("threshold", "abc"), null), 400,
                "invalid-parameter");
        ProblemAssertions.assertProblem(segment(form("one-shot").field("referenceIndex", "3"), null), 400,
                "invalid-parameter");
        ProblemAssertions.assertProblem(segment(form("ensemble").field("classes", "amygdala"), null), 400,
                "unknown-class");
        ProblemAssertions.assertProblem(segment(Multipart.form().file("image", Hippocampus.image(query))
                .field("taskId", "00000000-0000-0000-0000-000000000000"), null), 404, "task-not-found");
        ProblemAssertions.assertProblem(segment(Multipart.form().field("taskId", taskId), null), 400,
                "invalid-parameter");
        ProblemAssertions.assertProblem(segment(form("ensemble"), "text/html"), 406, "not-acceptable");
        ProblemAssertions.assertProblem(client().post("/api/v1/segmentations?output=mask", form("ensemble"), null),
                400, "invalid-parameter");
    }

    /** The same volume with its first axis stored in reverse, and an affine that says so. */
    static NiftiImage flipX(NiftiImage image) throws Exception {
        int[] d = image.dims();
        float[] in = image.data();
        float[] out = new float[in.length];
        for (int z = 0; z < d[2]; z++) {
            for (int y = 0; y < d[1]; y++) {
                for (int x = 0; x < d[0]; x++) {
                    out[(z * d[1] + y) * d[0] + (d[0] - 1 - x)] = in[(z * d[1] + y) * d[0] + x];
                }
            }
        }
        double[][] a = image.affine();
        double[][] rows = new double[3][4];
        for (int r = 0; r < 3; r++) {
            rows[r] = new double[] {-a[r][0], a[r][1], a[r][2], a[r][3] + (d[0] - 1) * a[r][0]};
        }
        NiftiHeader header = image.header().toBuilder().qform(0, 0, 0, 0, 0, 0, 0)
                .sform(2, rows[0], rows[1], rows[2]).build();
        return new NiftiImage(header, out);
    }

    static Map<Integer, Long> counts(float[] labels) {
        Map<Integer, Long> counts = new TreeMap<>();
        for (float v : labels) {
            counts.merge((int) v, 1L, Long::sum);
        }
        return counts;
    }
}
