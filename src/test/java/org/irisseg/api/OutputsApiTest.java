package org.irisseg.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

import javax.imageio.ImageIO;

import org.irisseg.nifti.NiftiImage;
import org.irisseg.nifti.NiftiLimits;
import org.irisseg.nifti.NiftiReader;
import org.irisseg.support.Hippocampus;
import org.irisseg.support.IrisIntegrationTest;
import org.irisseg.support.Multipart;
import org.irisseg.support.ProblemAssertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The outputs beside the label map (probabilities, uncertainty, preview) over real HTTP with real data. */
class OutputsApiTest extends IrisIntegrationTest {

    private static final NiftiReader READER = new NiftiReader(NiftiLimits.defaults());
    private static String taskId;

    private final String query = Hippocampus.QUERIES.get(2);

    @BeforeEach
    void registerOnce() throws Exception {
        if (taskId == null) {
            taskId = registerHippocampus("outputs", Hippocampus.REFERENCES);
        }
    }

    private HttpResponse<byte[]> segment(String output, String mode, String accept) {
        Multipart form = Multipart.form().file("image", Hippocampus.image(query)).field("taskId", taskId)
                .field("mode", mode);
        HttpResponse<byte[]> response = client().post("/api/v1/segmentations" + (output == null ? "" : "?output="
                + output), form, accept);
        return response;
    }

    /** The 4D float32 file: its dims and its values, volume after volume. */
    private record Volumes(short[] dim, short datatype, float[] values) {

        static Volumes of(byte[] gz) {
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
                ByteBuffer b = ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
                short[] dim = new short[8];
                for (int i = 0; i < 8; i++) {
                    dim[i] = b.getShort(40 + 2 * i);
                }
                float[] values = new float[(b.capacity() - 352) / 4];
                b.position(352);
                b.asFloatBuffer().get(values);
                return new Volumes(dim, b.getShort(70), values);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Test
    void probabilitiesAreOneFloatVolumePerClassOnTheQuerysGridAgreeingWithTheLabelMap() {
        HttpResponse<byte[]> response = segment("probabilities", "ensemble", null);
        assertEquals(200, response.statusCode(), new String(response.body()));
        assertEquals("application/gzip", response.headers().firstValue("Content-Type").orElseThrow());
        Volumes p = Volumes.of(response.body());
        NiftiImage labels = READER.readLabelMap(new ByteArrayInputStream(segment(null, "ensemble", null).body()));
        int[] d = labels.dims();
        assertArrayEquals(new short[] {4, (short) d[0], (short) d[1], (short) d[2], 2}, java.util.Arrays.copyOf(p.dim(), 5));
        assertEquals(16, p.datatype(), "float32");
        int voxels = d[0] * d[1] * d[2];
        for (int i = 0; i < voxels; i++) {
            int label = Math.round(labels.data()[i]);
            if (label > 0) {
                assertTrue(p.values()[(label - 1) * voxels + i] > 0.5, "voxel " + i + " of class " + label);
            }
            assertTrue(p.values()[i] >= 0 && p.values()[i] <= 1);
        }
    }

    @Test
    void uncertaintyIsTheSpreadOfTheEnsembleMembersOnTheQuerysGrid() {
        HttpResponse<byte[]> response = segment("uncertainty", "ensemble", null);
        assertEquals(200, response.statusCode(), new String(response.body()));
        Volumes spread = Volumes.of(response.body());
        assertEquals(2, spread.dim()[4]);
        double max = 0;
        for (float v : spread.values()) {
            assertTrue(v >= 0 && v <= 0.5, "a standard deviation of probabilities: " + v);
            max = Math.max(max, v);
        }
        assertTrue(max > 0.01, "three different references disagree somewhere");
    }

    @Test
    void uncertaintyOfAOneShotAnswerIsAProblem() {
        ProblemAssertions.assertProblem(segment("uncertainty", "one-shot", null), 400, "invalid-parameter");
    }

    @Test
    void thePreviewIsAPngMontageOfThreeSlices() throws Exception {
        HttpResponse<byte[]> response = segment("preview", "ensemble", null);
        assertEquals(200, response.statusCode(), new String(response.body()));
        assertEquals("image/png", response.headers().firstValue("Content-Type").orElseThrow());
        Files.createDirectories(Path.of("target"));
        Files.write(Path.of("target/preview-" + query + ".png"), response.body());
        BufferedImage montage = ImageIO.read(new ByteArrayInputStream(response.body()));
        assertTrue(montage.getWidth() > 2 * montage.getHeight(), montage.getWidth() + "x" + montage.getHeight());
        assertTrue(response.headers().firstValue("Iris-Quality").isPresent());
    }

    @Test
    void acceptImagePngAloneAsksForThePreview() {
        HttpResponse<byte[]> response = segment(null, "one-shot", "image/png");
        assertEquals(200, response.statusCode(), new String(response.body()));
        assertEquals("image/png", response.headers().firstValue("Content-Type").orElseThrow());
    }
}
