package org.irisseg.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.util.Set;

import org.irisseg.nifti.CanonicalVolume;
import org.irisseg.nifti.NiftiHeader;
import org.irisseg.nifti.NiftiImage;
import org.irisseg.nifti.NiftiLimits;
import org.irisseg.nifti.NiftiReader;
import org.irisseg.nifti.NiftiWriter;
import org.irisseg.nifti.Reorientation;
import org.irisseg.support.Hippocampus;
import org.irisseg.support.IrisIntegrationTest;
import org.irisseg.support.Multipart;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A query stored in another voxel order (LPS, LIA) gets its label map in that order, on its own grid:
 * the same anatomy as its RAS+ copy, voxel for voxel through the known axis permutation.
 */
class OrientedQueryTest extends IrisIntegrationTest {

    private static final NiftiReader READER = new NiftiReader(NiftiLimits.defaults());
    private static String taskId;
    private static CanonicalVolume ras;
    private static NiftiHeader template;
    private static NiftiImage rasLabels;

    @BeforeEach
    void segmentTheRasCopyOnce() throws Exception {
        if (taskId == null) {
            taskId = registerHippocampus("orientation", Hippocampus.REFERENCES.subList(0, 1));
            NiftiImage query = READER.readImage(Hippocampus.image(Hippocampus.QUERIES.get(3)));
            template = query.header();
            ras = Reorientation.toClosestCanonical(query.affine(), query.dims()).toCanonical(query);
            rasLabels = segment(oriented("RAS"));
            assertEquals(Set.of(0, 1, 2), SegmentationApiTest.counts(rasLabels.data()).keySet(), "both classes found");
        }
    }

    @Test
    void anLpsQueryGetsItsLabelMapInLpsOnItsOwnGrid() throws Exception {
        assertSameAnatomyInItsOwnOrder("LPS");
    }

    @Test
    void anLiaQueryGetsItsLabelMapInLiaOnItsOwnGrid() throws Exception {
        assertSameAnatomyInItsOwnOrder("LIA");
    }

    private void assertSameAnatomyInItsOwnOrder(String codes) throws Exception {
        NiftiImage query = oriented(codes);
        assertEquals(codes, Reorientation.toClosestCanonical(query.affine(), query.dims()).sourceAxisCodes());

        NiftiImage labels = segment(query);

        assertArrayEquals(query.dims(), labels.dims());
        for (int r = 0; r < 4; r++) {
            assertArrayEquals(query.affine()[r], labels.affine()[r], 1e-4, "affine row " + r);
        }
        assertEquals(codes, Reorientation.toClosestCanonical(labels.affine(), labels.dims()).sourceAxisCodes());
        int[] n = labels.dims();
        for (int k = 0; k < n[2]; k++) {
            for (int j = 0; j < n[1]; j++) {
                for (int i = 0; i < n[0]; i++) {
                    int[] r = rasIndex(codes, n, i, j, k);
                    int[] d = rasLabels.dims();
                    float expected = rasLabels.data()[(r[2] * d[1] + r[1]) * d[0] + r[0]];
                    if (labels.data()[(k * n[1] + j) * n[0] + i] != expected) {
                        throw new AssertionError(codes + " voxel (" + i + ", " + j + ", " + k + ") differs from RAS"
                                + " voxel (" + r[0] + ", " + r[1] + ", " + r[2] + ")");
                    }
                }
            }
        }
    }

    private NiftiImage segment(NiftiImage query) throws Exception {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        new NiftiWriter().writeImage(file, query.header(), query.data());
        HttpResponse<byte[]> response = client().post("/api/v1/segmentations", Multipart.form()
                .file("image", "query.nii.gz", file.toByteArray()).field("taskId", taskId)
                .field("mode", "one-shot"), null);
        assertEquals(200, response.statusCode(), new String(response.body()));
        return READER.readLabelMap(new ByteArrayInputStream(response.body()));
    }

    /** RAS+ axis (0, 1, 2) that native axis {@code a} runs along, for orientation codes like "LIA". */
    private static int axis(String codes, int a) {
        return "LRPAIS".indexOf(codes.charAt(a)) / 2;
    }

    private static boolean flipped(String codes, int a) {
        return "LPI".indexOf(codes.charAt(a)) >= 0;
    }

    /** The RAS+ voxel that native voxel (i, j, k) of a grid in {@code codes} order with sizes {@code n} shows. */
    private static int[] rasIndex(String codes, int[] n, int... ijk) {
        int[] r = new int[3];
        for (int a = 0; a < 3; a++) {
            r[axis(codes, a)] = flipped(codes, a) ? n[a] - 1 - ijk[a] : ijk[a];
        }
        return r;
    }

    /** The RAS+ copy of the query stored in {@code codes} voxel order, with the affine that says so. */
    private static NiftiImage oriented(String codes) {
        int[] s = ras.shape();
        int[] n = new int[3];
        double[][] m = new double[4][4];
        for (int a = 0; a < 3; a++) {
            n[a] = s[axis(codes, a)];
            m[axis(codes, a)][a] = flipped(codes, a) ? -1 : 1;
            m[axis(codes, a)][3] = flipped(codes, a) ? n[a] - 1 : 0;
        }
        m[3][3] = 1;
        float[] data = new float[n[0] * n[1] * n[2]];
        for (int k = 0; k < n[2]; k++) {
            for (int j = 0; j < n[1]; j++) {
                for (int i = 0; i < n[0]; i++) {
                    int[] r = rasIndex(codes, n, i, j, k);
                    data[(k * n[1] + j) * n[0] + i] = ras.data()[(r[0] * s[1] + r[1]) * s[2] + r[2]];
                }
            }
        }
        double[][] affine = new double[4][4];
        double[] pixdim = template.pixdim().clone();
        for (int row = 0; row < 4; row++) {
            for (int col = 0; col < 4; col++) {
                for (int x = 0; x < 4; x++) {
                    affine[row][col] += ras.affine()[row][x] * m[x][col];
                }
            }
        }
        for (int a = 0; a < 3; a++) {
            pixdim[a + 1] = Math.sqrt(affine[0][a] * affine[0][a] + affine[1][a] * affine[1][a]
                    + affine[2][a] * affine[2][a]);
        }
        NiftiHeader header = template.toBuilder().spatialDims(n[0], n[1], n[2]).pixdim(pixdim)
                .qform(0, 0, 0, 0, 0, 0, 0).sform(2, affine[0], affine[1], affine[2]).build();
        return new NiftiImage(header, data);
    }
}
