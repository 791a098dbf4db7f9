package org.irisseg.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;

import org.irisseg.model.Box;
import org.irisseg.model.EmbeddingTolerance;
import org.irisseg.model.FocusPolicy;
import org.irisseg.nifti.CanonicalVolume;
import org.irisseg.nifti.NiftiImage;
import org.irisseg.nifti.NiftiLimits;
import org.irisseg.nifti.NiftiReader;
import org.irisseg.nifti.NiftiWriter;
import org.irisseg.nifti.Reorientation;
import org.irisseg.support.IrisClient;
import org.irisseg.support.IrisIntegrationTest;
import org.irisseg.support.Multipart;
import org.irisseg.support.TestPaths;
import org.irisseg.util.Npy;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A focus test vector case of the model directory (written by {@code python -m irisseg.focus_vectors} from
 * {@code training/irisseg/boxes.py} and the exported modules) recomputed by the service over real HTTP: the
 * reference's focus side and embeddings as registration stores them, the policy's constants, the box (or the
 * windows) the focused passes segmented, and the final probabilities at the sampled voxels within the
 * export's tolerance. {@link FocusVectorsTest} runs the case {@code focus}, {@link FocusWindowsVectorsTest}
 * the case {@code focus_windows}.
 */
abstract class FocusVectorsCase extends IrisIntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final NiftiReader READER = new NiftiReader(NiftiLimits.defaults());

    private JsonNode vectors;
    private Path data;

    @Autowired
    TaskCache cache;

    /** The case's name in testvectors.json. */
    abstract String caseName();

    @BeforeEach
    void readCase() {
        Path file = TestPaths.assumeModel().resolve("testvectors/testvectors.json");
        Assumptions.assumeTrue(Files.isRegularFile(file), "the model directory has no test vectors");
        for (JsonNode c : JSON.readTree(file.toFile()).path("cases")) {
            if (c.path("name").asString().equals(caseName())) {
                vectors = c;
            }
        }
        Assumptions.assumeTrue(vectors != null, "the model directory has no '" + caseName() + "' test vector case");
        data = TestPaths.assumeSharedData();
    }

    /** The case's windows, as boxes. */
    List<Box> windows() {
        List<Box> out = new ArrayList<>();
        for (JsonNode w : vectors.path("query_windows")) {
            int[] b = JSON.convertValue(w, int[].class);
            out.add(new Box(b[0], b[1], b[2], b[3], b[4], b[5]));
        }
        return out;
    }

    private Path input(String key) {
        return data.resolve(vectors.path("inputs").path(key).asString());
    }

    private Npy npy(String key) throws IOException {
        return Npy.read(TestPaths.modelDir().resolve("testvectors").resolve(vectors.path(key).asString()));
    }

    private int[] labels() {
        return JSON.convertValue(vectors.path("labels"), int[].class);
    }

    private Box box(String key) {
        int[] b = JSON.convertValue(vectors.path(key), int[].class);
        return new Box(b[0], b[1], b[2], b[3], b[4], b[5]);
    }

    /** The reference label map with the case's classes only. */
    private byte[] referenceMask() {
        NiftiImage label = READER.readLabelMap(input("reference_label"));
        int[] wanted = labels();
        int[] out = new int[label.data().length];
        for (int i = 0; i < out.length; i++) {
            int v = (int) label.data()[i];
            out[i] = Arrays.stream(wanted).anyMatch(w -> w == v) ? v : 0;
        }
        return new NiftiWriter().labelMapGz(label.header(), out);
    }

    private String register() throws InterruptedException {
        assumeModelReady();
        StringBuilder names = new StringBuilder("{");
        for (int label : labels()) {
            names.append(names.length() > 1 ? "," : "").append('"').append(label).append("\":\"class ").append(label)
                    .append('"');
        }
        return client().registerTask(Multipart.form().field("name", "focus vectors").field("labels", names + "}")
                .file("references", input("reference_image")).file("masks", "mask.nii.gz", referenceMask()));
    }

    private HttpResponse<byte[]> segment(String task, String output) {
        return client().post("/api/v1/segmentations?output=" + output, Multipart.form()
                .file("image", input("query_image")).field("taskId", task).field("mode", "one-shot")
                .field("focus", "true"), null);
    }

    @Test
    void theServicesPolicyConstantsAreThoseOfTheVectors() {
        JsonNode policy = vectors.path("policy");
        assertEquals(policy.path("margin_factor").asDouble(), FocusPolicy.MARGIN_FACTOR);
        assertEquals(policy.path("min_side_mm").asDouble(), FocusPolicy.MIN_SIDE_MM);
        assertEquals(policy.path("found_threshold").asDouble(), FocusPolicy.FOUND_THRESHOLD);
        assertEquals(policy.path("window_overlap").asDouble(), FocusPolicy.WINDOW_OVERLAP);
        assertEquals(policy.path("max_windows").asInt(), FocusPolicy.MAX_WINDOWS);
    }

    @Test
    void theWindowsOfTheVectorsLieInsideTheirBoxAndCoverIt() {
        Box around = windows().stream().reduce(Box::union).orElseThrow();
        assertEquals(box("query_box"), around);
        long covered = 0;
        for (int x = around.x0(); x < around.x1(); x++) {
            for (int y = around.y0(); y < around.y1(); y++) {
                for (int z = around.z0(); z < around.z1(); z++) {
                    Box voxel = new Box(x, x + 1, y, y + 1, z, z + 1);
                    covered += windows().stream().anyMatch(w -> w.contains(voxel)) ? 1 : 0;
                }
            }
        }
        assertEquals(around.voxels(), covered);
    }

    @Test
    void registrationStoresTheVectorsFocusSideAndEmbeddings() throws Exception {
        TaskReference reference = cache.find(register()).orElseThrow().references().get(0);
        double tolerance = vectors.path("tolerance").asDouble();
        assertEquals(vectors.path("side_mm").asDouble(), reference.focus().sideMm(), 1e-6);
        Npy expected = npy("focus_embedding");
        int e = expected.shape()[2];
        int[] labels = labels();
        for (int k = 0; k < labels.length; k++) {
            float[] want = Arrays.copyOfRange(expected.data(), k * e, (k + 1) * e);
            float[] got = reference.focus().embedding(labels[k]);
            assertEquals(want.length, got.length);
            for (int i = 0; i < e; i++) {
                assertEquals(want[i], got[i], EmbeddingTolerance.allowed(tolerance, want[i]),
                        "class " + labels[k] + " value " + i);
            }
        }
    }

    @Test
    void theReferenceBoxIsTheVectorsFromTheMasksBounds() {
        NiftiImage label = READER.readLabelMap(input("reference_label"));
        CanonicalVolume canonical = Reorientation.toClosestCanonical(label.affine(), label.dims()).toCanonical(label);
        int[] s = canonical.shape();
        int[] wanted = labels();
        Box bounds = new Box(0, 0, 0, 0, 0, 0);
        for (int i = 0; i < canonical.data().length; i++) {
            int v = (int) canonical.data()[i];
            if (Arrays.stream(wanted).anyMatch(w -> w == v)) {
                int x = i / (s[1] * s[2]);
                int y = i / s[2] % s[1];
                int z = i % s[2];
                bounds = bounds.union(new Box(x, x + 1, y, y + 1, z, z + 1));
            }
        }
        double[] spacing = JSON.convertValue(vectors.path("reference_spacing"), double[].class);
        assertEquals(box("reference_box"), FocusPolicy.referenceBox(bounds, spacing, s));
    }

    @Test
    void aFocusedSegmentationSegmentsTheVectorsBoxWithTheirProbabilities() throws Exception {
        String task = register();
        HttpResponse<byte[]> statistics = segment(task, "statistics");
        assertEquals(200, statistics.statusCode(), new String(statistics.body()));
        JsonNode focus = IrisClient.json(statistics).path("focus");
        Box expectedBox = box("query_box");
        double[] spacing = JSON.convertValue(vectors.path("query_spacing"), double[].class);
        assertTrue(focus.path("applied").asBoolean(), focus.toString());
        assertEquals(windows().size(), focus.path("windows").asInt(), focus.toString());
        int[] size = expectedBox.shape();
        for (int a = 0; a < 3; a++) {
            assertEquals(size[a] * spacing[a], focus.path("boxMm").get(a).asDouble(), 1e-6, "axis " + a);
        }

        HttpResponse<byte[]> response = segment(task, "probabilities");
        assertEquals(200, response.statusCode(), new String(response.body()));
        float[][] maps = canonicalMaps(response.body(), READER.readImage(input("query_image")));
        Npy indices = npy("sample_indices");
        Npy expected = npy("sample_probabilities");
        double tolerance = vectors.path("tolerance").asDouble();
        int samples = indices.data().length;
        double worst = 0;
        for (int k = 0; k < maps.length; k++) {
            for (int j = 0; j < samples; j++) {
                int at = (int) indices.data()[j];
                worst = Math.max(worst, Math.abs(expected.data()[k * samples + j] - maps[k][at]));
            }
        }
        assertTrue(worst <= tolerance, "max abs difference at the samples " + worst);
        long[] want = JSON.convertValue(vectors.path("foreground_voxels"), long[].class);
        for (int k = 0; k < maps.length; k++) {
            long count = 0;
            long nearHalf = 0;
            for (float p : maps[k]) {
                count += p > 0.5f ? 1 : 0;
                nearHalf += Math.abs(p - 0.5f) <= tolerance ? 1 : 0;
            }
            assertTrue(Math.abs(count - want[k]) <= nearHalf, "class " + k + ": " + count + " voxels above 0.5,"
                    + " the vectors " + want[k] + " (" + nearHalf + " within the tolerance of 0.5)");
        }
    }

    /** The K float volumes of a probabilities answer, each in canonical C order. */
    private float[][] canonicalMaps(byte[] gz, NiftiImage query) {
        float[] values;
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            ByteBuffer b = ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
            values = new float[(b.capacity() - 352) / 4];
            b.position(352);
            b.asFloatBuffer().get(values);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int voxels = query.data().length;
        int classes = values.length / voxels;
        assertArrayEquals(new int[] {labels().length}, new int[] {classes});
        Reorientation grid = Reorientation.toClosestCanonical(query.affine(), query.dims());
        float[][] out = new float[classes][];
        for (int k = 0; k < classes; k++) {
            float[] one = Arrays.copyOfRange(values, k * voxels, (k + 1) * voxels);
            out[k] = grid.toCanonical(new NiftiImage(query.header(), one)).data();
        }
        return out;
    }
}
