package org.irisseg.nifti;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

import org.irisseg.support.TestPaths;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every NIfTI file of {@code ../shared/data}: read, geometry and canonical array as nibabel computes
 * them (vectors from {@code training/scripts/make_nifti_test_vectors.py}), then canonical -> native ->
 * write -> read gives the same array and affine.
 */
class SharedDataRoundTripTest {

    static final Path DATA = TestPaths.sharedData();
    private static final String VECTORS = "/nifti/shared-data-vectors.json";
    /** The 256^3 SynthSeg label maps take most of the time. */
    private static final Predicate<JsonNode> LARGE = v -> v.get("path").asString().startsWith("synthseg_label_maps/");

    private final NiftiReader reader = new NiftiReader(NiftiLimits.defaults());
    private final NiftiWriter writer = new NiftiWriter();

    @TestFactory
    Stream<DynamicTest> smallFilesMatchNibabelAndRoundTrip() {
        return tests(LARGE.negate());
    }

    @TestFactory
    @Tag("slow")
    Stream<DynamicTest> largeSynthSegLabelMapsMatchNibabelAndRoundTrip() {
        return tests(LARGE);
    }

    private Stream<DynamicTest> tests(Predicate<JsonNode> which) {
        TestPaths.assumeSharedData();
        List<JsonNode> vectors = new ArrayList<>();
        for (JsonNode v : vectors()) {
            if (which.test(v)) {
                vectors.add(v);
            }
        }
        return vectors.stream().map(v -> DynamicTest.dynamicTest(v.get("path").asString(), () -> check(v)));
    }

    static JsonNode vectors() {
        try (InputStream in = SharedDataRoundTripTest.class.getResourceAsStream(VECTORS)) {
            return JsonMapper.builder().build().readTree(in).get("files");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void check(JsonNode v) {
        Path file = DATA.resolve(v.get("path").asString());
        boolean labels = v.get("label_like").asBoolean();
        NiftiImage image = labels ? reader.readLabelMap(file) : reader.readImage(file);
        assertArrayEquals(ints(v.get("shape")), image.dims());
        assertMatrix(v.get("affine"), image.affine());

        Reorientation r = Reorientation.toClosestCanonical(image.affine(), image.dims());
        assertEquals(v.get("axcodes").asString(), r.sourceAxisCodes());
        CanonicalVolume canonical = r.toCanonical(image);
        assertArrayEquals(ints(v.get("canonical_shape")), canonical.shape());
        assertMatrix(v.get("canonical_affine"), canonical.affine());
        assertEquals(v.get("canonical_sha256").asString(), sha256LittleEndian(canonical.data()));
        double sum = 0;
        for (float f : canonical.data()) {
            sum += f;
        }
        assertEquals(v.get("canonical_sum").asDouble(), sum, 1e-9 * Math.max(1, Math.abs(sum)));

        float[] backToNative = r.toNative(canonical.data());
        assertArrayEquals(image.data(), backToNative);

        NiftiImage written;
        if (labels && v.get("max_value").asDouble() <= 65535) {
            int[] canonicalLabels = new int[canonical.data().length];
            for (int i = 0; i < canonicalLabels.length; i++) {
                canonicalLabels[i] = (int) canonical.data()[i];
            }
            byte[] gz = writer.labelMapGz(image.header(), r.toNative(canonicalLabels));
            written = reader.readLabelMap(new ByteArrayInputStream(gz));
        } else {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            writer.writeImage(out, image.header(), backToNative);
            written = reader.readImage(new ByteArrayInputStream(out.toByteArray()));
        }
        assertArrayEquals(image.data(), written.data());
        double[][] expected = image.affine();
        double[][] actual = written.affine();
        for (int i = 0; i < 4; i++) {
            assertArrayEquals(expected[i], actual[i], 0.0, "affine row " + i + " after write");
        }
        assertEquals(image.header().qformCode(), written.header().qformCode());
        assertEquals(image.header().sformCode(), written.header().sformCode());
        assertArrayEquals(image.header().pixdim(), written.header().pixdim());
        assertEquals(image.header().xyztUnits(), written.header().xyztUnits());
    }

    /** SHA-256 of the values as little-endian float32, as the vector script hashes them. */
    static String sha256LittleEndian(float[] values) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            ByteBuffer chunk = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            for (int at = 0; at < values.length; at += chunk.capacity() / 4) {
                int n = Math.min(chunk.capacity() / 4, values.length - at);
                chunk.clear();
                chunk.asFloatBuffer().put(values, at, n);
                digest.update(chunk.array(), 0, n * 4);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    private static void assertMatrix(JsonNode expected, double[][] actual) {
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                double e = expected.get(i).get(j).asDouble();
                assertEquals(e, actual[i][j], 1e-6 * Math.max(1, Math.abs(e)), "affine[" + i + "][" + j + "]");
            }
        }
    }
}
