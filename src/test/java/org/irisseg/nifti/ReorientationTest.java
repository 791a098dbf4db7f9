package org.irisseg.nifti;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Permutations and flips to closest RAS+, their inverse, axis codes and the canonical affine. */
class ReorientationTest {

    private static final int[] DIMS = {2, 3, 4};

    private static NiftiImage image(double[][] affine, int[] dims) {
        NiftiHeader header = NiftiHeader.builder()
                .spatialDims(dims[0], dims[1], dims[2])
                .sform(1, affine[0], affine[1], affine[2])
                .build();
        float[] data = new float[dims[0] * dims[1] * dims[2]];
        for (int i = 0; i < data.length; i++) {
            data[i] = i;
        }
        return new NiftiImage(header, data);
    }

    /** Value of native voxel (i, j, k) in the ramp image: its file-order index. */
    private static float nativeValue(int[] dims, int i, int j, int k) {
        return i + dims[0] * (j + dims[1] * k);
    }

    private static float canonicalValue(CanonicalVolume v, int x, int y, int z) {
        return v.data()[(x * v.shape()[1] + y) * v.shape()[2] + z];
    }

    @Test
    void rasIsOnlyReorderedFromFileOrderToCOrder() {
        double[][] affine = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}};
        Reorientation r = Reorientation.toClosestCanonical(affine, DIMS);
        assertEquals("RAS", r.sourceAxisCodes());
        assertTrue(r.isIdentityPermutation());
        CanonicalVolume v = r.toCanonical(image(affine, DIMS));
        assertArrayEquals(DIMS, v.shape());
        for (int x = 0; x < 2; x++) {
            for (int y = 0; y < 3; y++) {
                for (int z = 0; z < 4; z++) {
                    assertEquals(nativeValue(DIMS, x, y, z), canonicalValue(v, x, y, z));
                }
            }
        }
        NiftiReaderTest.assertAffine(affine, v.affine());
    }

    @Test
    void lpsFlipsTheFirstTwoAxes() {
        double[][] affine = {{-1, 0, 0, 10}, {0, -2, 0, 20}, {0, 0, 3, 30}, {0, 0, 0, 1}};
        Reorientation r = Reorientation.toClosestCanonical(affine, DIMS);
        assertEquals("LPS", r.sourceAxisCodes());
        CanonicalVolume v = r.toCanonical(image(affine, DIMS));
        assertArrayEquals(DIMS, v.shape());
        assertEquals(nativeValue(DIMS, 1, 2, 0), canonicalValue(v, 0, 0, 0));
        assertEquals(nativeValue(DIMS, 0, 1, 3), canonicalValue(v, 1, 1, 3));
        // canonical voxel 0 is native voxel (1, 2, 0): world (10 - 1, 20 - 4, 30)
        NiftiReaderTest.assertAffine(new double[][] {{1, 0, 0, 9}, {0, 2, 0, 16}, {0, 0, 3, 30}, {0, 0, 0, 1}}, v.affine());
    }

    @Test
    void liaPermutesAndFlipsAsFreeSurferConformedVolumes() {
        // i -> Left, j -> Inferior, k -> Anterior (the SynthSeg / FreeSurfer "conformed" layout)
        double[][] affine = {{-1, 0, 0, 128}, {0, 0, 1, -128}, {0, -1, 0, 128}, {0, 0, 0, 1}};
        Reorientation r = Reorientation.toClosestCanonical(affine, DIMS);
        assertEquals("LIA", r.sourceAxisCodes());
        assertArrayEquals(new int[] {2, 4, 3}, r.canonicalShape());
        CanonicalVolume v = r.toCanonical(image(affine, DIMS));
        // canonical (x, y, z) = native (1 - x, 2 - z, y)
        for (int x = 0; x < 2; x++) {
            for (int y = 0; y < 4; y++) {
                for (int z = 0; z < 3; z++) {
                    assertEquals(nativeValue(DIMS, 1 - x, 2 - z, y), canonicalValue(v, x, y, z));
                }
            }
        }
        NiftiReaderTest.assertAffine(new double[][] {{1, 0, 0, 127}, {0, 1, 0, -128}, {0, 0, 1, 126}, {0, 0, 0, 1}},
                v.affine());
    }

    @Test
    void obliqueAxesGoToTheClosestWorldAxis() {
        double c = Math.cos(Math.toRadians(60));
        double s = Math.sin(Math.toRadians(60));
        double[][] affine = {{c, -s, 0, 0}, {s, c, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}};
        assertEquals("ALS", Reorientation.toClosestCanonical(affine, DIMS).sourceAxisCodes());
        double[][] slight = {{0.9, -0.1, 0.05, 0}, {0.1, 0.9, 0, 0}, {-0.05, 0, 2, 0}, {0, 0, 0, 1}};
        assertTrue(Reorientation.toClosestCanonical(slight, DIMS).isIdentityPermutation());
    }

    @Test
    void everySignedPermutationInvertsExactlyAndEndsDiagonalPositive() {
        int[][] perms = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
        int[] dims = {37, 20, 18}; // several 16x16 tiles with ragged edges
        for (int[] perm : perms) {
            for (int signs = 0; signs < 8; signs++) {
                double[][] affine = new double[4][4];
                for (int i = 0; i < 3; i++) {
                    affine[perm[i]][i] = ((signs >> i) & 1) == 1 ? -(i + 1) : (i + 1);
                    affine[i][3] = 7 * i - 3;
                }
                affine[3][3] = 1;
                Reorientation r = Reorientation.toClosestCanonical(affine, dims);
                NiftiImage img = image(affine, dims);
                CanonicalVolume v = r.toCanonical(img);
                assertArrayEquals(img.data(), r.toNative(v.data()));
                int[] labels = new int[v.data().length];
                for (int i = 0; i < labels.length; i++) {
                    labels[i] = (int) v.data()[i];
                }
                int[] back = r.toNative(labels);
                for (int i = 0; i < back.length; i++) {
                    assertEquals(i, back[i]);
                }
                for (int a = 0; a < 3; a++) {
                    for (int b = 0; b < 3; b++) {
                        double e = v.affine()[a][b];
                        assertTrue(a == b ? e > 0 : e == 0, "canonical affine not diagonal positive: " + a + "," + b);
                    }
                }
                assertSameWorldPosition(affine, dims, v, 0, 0, 0);
                assertSameWorldPosition(affine, dims, v, v.shape()[0] - 1, 1, v.shape()[2] - 2);
            }
        }
    }

    /** A canonical voxel and the native voxel it came from lie at the same world position. */
    private static void assertSameWorldPosition(double[][] affine, int[] dims, CanonicalVolume v, int x, int y, int z) {
        int n = (int) canonicalValue(v, x, y, z); // the ramp holds each voxel's native file index
        double[] nat = {n % dims[0], (n / dims[0]) % dims[1], n / (dims[0] * dims[1])};
        double[] can = {x, y, z};
        for (int row = 0; row < 3; row++) {
            double fromNative = affine[row][3];
            double fromCanonical = v.affine()[row][3];
            for (int col = 0; col < 3; col++) {
                fromNative += affine[row][col] * nat[col];
                fromCanonical += v.affine()[row][col] * can[col];
            }
            assertEquals(fromNative, fromCanonical, 1e-9);
        }
    }

    @Test
    void singularAffinesAndMismatchedDataAreRefused() {
        double[][] singular = {{1, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}};
        NiftiException e = assertThrows(NiftiException.class, () -> Reorientation.toClosestCanonical(singular, DIMS));
        assertEquals(NiftiException.Kind.INVALID_GEOMETRY, e.kind());
        Reorientation r = Reorientation.toClosestCanonical(new double[][] {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}}, DIMS);
        assertThrows(IllegalArgumentException.class, () -> r.toNative(new float[5]));
        assertThrows(IllegalArgumentException.class, () -> r.toCanonical(image(new double[][] {{1, 0, 0, 0}, {0, 1, 0, 0},
                {0, 0, 1, 0}, {0, 0, 0, 1}}, new int[] {4, 3, 2})));
    }
}
