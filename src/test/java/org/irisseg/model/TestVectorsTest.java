package org.irisseg.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.irisseg.nifti.CanonicalVolume;
import org.irisseg.nifti.NiftiImage;
import org.irisseg.nifti.NiftiLimits;
import org.irisseg.nifti.NiftiReader;
import org.irisseg.nifti.Reorientation;
import org.irisseg.util.Npy;
import org.irisseg.support.TestPaths;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import ai.djl.Device;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The export's test vectors, recomputed in Java through DJL: the {@code random} case end to end through
 * the three modules, and the {@code hippocampus} case from the NIfTI file through the service's reader and
 * canonicalisation. Every output within the tolerance the export states (1e-4; embeddings plus 1e-3 of the
 * expected value, {@link EmbeddingTolerance}).
 */
class TestVectorsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static Path modelDir;
    private static JsonNode cases;
    private static TorchScriptModules modules;
    private static InferenceSession session;

    @BeforeAll
    static void load() {
        modelDir = TestPaths.assumeModel();
        Path vectors = modelDir.resolve("testvectors/testvectors.json");
        Assumptions.assumeTrue(Files.isRegularFile(vectors), "the model directory has no test vectors");
        cases = JSON.readTree(vectors.toFile()).path("cases");
        ModelManifest manifest = ModelManifest.read(modelDir, JSON);
        ModelChecksums.verify(modelDir, manifest);
        modules = TorchScriptModules.load(modelDir, manifest, Device.cpu());
        session = modules.newSession();
    }

    @AfterAll
    static void close() {
        if (session != null) {
            session.close();
        }
        if (modules != null) {
            modules.close();
        }
    }

    @Test
    void randomCaseMatchesPythonThroughAllThreeModules() throws IOException {
        JsonNode c = testCase("random");
        Npy referenceImage = npy(c, "reference_image");
        Npy referenceMasks = npy(c, "reference_masks");
        Npy queryImage = npy(c, "query_image");
        Npy expectedEmbedding = npy(c, "embedding");
        Npy expectedProbabilities = npy(c, "probabilities");
        int classes = referenceMasks.shape()[1];
        InferenceTimings timings = new InferenceTimings();

        float[][] embedding;
        try (ImageFeatures features = session.encodeImage(spatial(referenceImage), referenceImage.data(), timings)) {
            embedding = session.encodeTask(features, classes, referenceMasks.data(), timings);
        }
        assertEmbeddingClose(expectedEmbedding.data(), flatten(embedding), c, "embedding");

        float[] probabilities;
        try (ImageFeatures features = session.encodeImage(spatial(queryImage), queryImage.data(), timings)) {
            probabilities = session.decode(features, rows(expectedEmbedding), timings);
        }
        assertClose(expectedProbabilities.data(), probabilities, c, "probabilities");
    }

    @Test
    void randomCaseMatchesPythonThroughTheRegionModules() throws IOException {
        JsonNode c = testCase("random");
        Npy referenceImage = npy(c, "reference_image");
        Npy referenceMasks = npy(c, "reference_masks");
        Npy queryImage = npy(c, "query_image");
        int classes = referenceMasks.shape()[1];
        int[] shape = spatial(referenceImage);
        InferenceTimings timings = new InferenceTimings();

        float[][] embedding;
        try (ImageFeatures features = session.encodeImage(shape, referenceImage.data(), timings)) {
            embedding = session.encodeObjects(features, Box.whole(shape), classes, referenceMasks.data(), timings);
        }
        assertEmbeddingClose(npy(c, "embedding").data(), flatten(embedding), c, "embedding from the object encoder");

        int[] query = spatial(queryImage);
        int voxels = query[0] * query[1] * query[2];
        float[] probabilities = new float[classes * voxels];
        try (ImageFeatures features = session.encodeImage(query, queryImage.data(), timings)) {
            GridLogits logits = session.decodeGrid(features, rows(npy(c, "embedding")), timings);
            for (int k = 0; k < classes; k++) {
                ClassRegion region = session.upsample(features, logits, k, 0, timings);
                assertEquals(Box.whole(query), region.box(), "threshold 0 gives the whole volume");
                System.arraycopy(region.values(), 0, probabilities, k * voxels, voxels);
            }
        }
        assertClose(npy(c, "probabilities").data(), probabilities, c, "probabilities from the grid decoder and upsampler");
    }

    @Test
    void hippocampusCaseMatchesPythonFromTheNiftiFiles() throws IOException {
        JsonNode c = testCase("hippocampus");
        Path data = TestPaths.assumeSharedData();
        JsonNode inputs = c.path("inputs");
        NiftiReader reader = new NiftiReader(NiftiLimits.defaults());

        NiftiImage referenceImage = reader.readImage(data.resolve(inputs.path("reference_image").asString()));
        NiftiImage referenceLabel = reader.readLabelMap(data.resolve(inputs.path("reference_label").asString()));
        NiftiImage queryImage = reader.readImage(data.resolve(inputs.path("query_image").asString()));
        Reorientation referenceGrid = Reorientation.toClosestCanonical(referenceImage.affine(), referenceImage.dims());
        CanonicalVolume reference = referenceGrid.toCanonical(referenceImage);
        CanonicalVolume labels = referenceGrid.toCanonical(referenceLabel);
        CanonicalVolume query = Reorientation.toClosestCanonical(queryImage.affine(), queryImage.dims())
                .toCanonical(queryImage);

        int[] labelValues = JSON.convertValue(c.path("labels"), int[].class);
        float[] masks = new float[labelValues.length * labels.data().length];
        for (int k = 0; k < labelValues.length; k++) {
            for (int i = 0; i < labels.data().length; i++) {
                masks[k * labels.data().length + i] = labels.data()[i] == labelValues[k] ? 1f : 0f;
            }
        }
        Npy expectedEmbedding = npy(c, "embedding");
        Npy expectedProbabilities = npy(c, "probabilities");
        InferenceTimings timings = new InferenceTimings();

        float[][] embedding;
        try (ImageFeatures features = session.encodeImage(reference.shape(), reference.data(), timings)) {
            embedding = session.encodeTask(features, labelValues.length, masks, timings);
        }
        assertEmbeddingClose(expectedEmbedding.data(), flatten(embedding), c, "embedding");

        assertArrayEquals(Arrays.copyOfRange(expectedProbabilities.shape(), 2, 5), query.shape(),
                "canonical query shape");
        float[] probabilities;
        try (ImageFeatures features = session.encodeImage(query.shape(), query.data(), timings)) {
            probabilities = session.decode(features, rows(expectedEmbedding), timings);
        }
        assertClose(expectedProbabilities.data(), probabilities, c, "probabilities");
    }

    private static JsonNode testCase(String name) {
        for (JsonNode c : cases) {
            if (c.path("name").asString().equals(name)) {
                return c;
            }
        }
        Assumptions.abort("no '" + name + "' test vector case");
        return null;
    }

    private static Npy npy(JsonNode c, String key) throws IOException {
        return Npy.read(modelDir.resolve("testvectors").resolve(c.path(key).asString()));
    }

    private static void assertClose(float[] expected, float[] actual, JsonNode c, String what) {
        double tolerance = c.path("tolerance").asDouble(1e-4);
        assertEquals(expected.length, actual.length, what + " length");
        double diff = maxAbsDiff(expected, actual);
        assertTrue(diff <= tolerance, c.path("name").asString() + " " + what + ": max abs diff " + diff + " > "
                + tolerance);
    }

    private static void assertEmbeddingClose(float[] expected, float[] actual, JsonNode c, String what) {
        double tolerance = c.path("tolerance").asDouble(1e-4);
        assertEquals(expected.length, actual.length, what + " length");
        double excess = EmbeddingTolerance.excess(expected, actual, tolerance);
        assertTrue(excess <= 0, c.path("name").asString() + " " + what + ": beyond " + tolerance + " + "
                + EmbeddingTolerance.RELATIVE + " * |expected| by " + excess);
    }

    /** [X, Y, Z] of a [1, 1, X, Y, Z] array. */
    private static int[] spatial(Npy image) {
        return Arrays.copyOfRange(image.shape(), 2, 5);
    }

    /** [1, K, E] -> K rows of E. */
    private static float[][] rows(Npy embedding) {
        int k = embedding.shape()[1];
        int e = embedding.shape()[2];
        float[][] out = new float[k][];
        for (int i = 0; i < k; i++) {
            out[i] = Arrays.copyOfRange(embedding.data(), i * e, (i + 1) * e);
        }
        return out;
    }

    private static float[] flatten(float[][] rows) {
        float[] out = new float[rows.length * rows[0].length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, out, i * rows[i].length, rows[i].length);
        }
        return out;
    }

    /** Largest absolute element-wise difference; fails on a length mismatch. */
    private static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
        }
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs((double) a[i] - b[i]));
        }
        return max;
    }
}
