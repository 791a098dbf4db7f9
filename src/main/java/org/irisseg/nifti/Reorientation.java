package org.irisseg.nifti;

import java.util.Arrays;

/**
 * The axis permutation and flips that bring a voxel grid closest to RAS+, computed as nibabel's
 * {@code io_orientation} / {@code as_closest_canonical}, and the exact inverse.
 *
 * <p>Native data is in file order (x fastest, {@code index = x + X * (y + Y * z)}); canonical data is
 * in C order ({@code index = (x * Y + y) * Z + z}) of the canonical shape. Both directions only move
 * values, so {@code toNative(toCanonical(v).data())} returns {@code v.data()} bit for bit.
 */
public final class Reorientation {

    private static final String[][] AXIS_LABELS = {{"L", "R"}, {"P", "A"}, {"I", "S"}};

    /** Cache-blocking size along the fastest canonical axis. */
    private static final int BLOCK = 16;

    private final int[] nativeDims;
    /** For canonical axis j: the native axis it comes from. */
    private final int[] sourceAxis = new int[3];
    /** For canonical axis j: whether the native index runs backwards. */
    private final boolean[] flipped = new boolean[3];
    private final int[] canonicalShape = new int[3];
    private final double[][] canonicalAffine;
    private final String sourceAxisCodes;

    private Reorientation(double[][] affine, int[] dims) {
        this.nativeDims = dims.clone();
        double[][] rotation = closestRotation(affine);
        boolean[] used = new boolean[3];
        char[] codes = new char[3];
        for (int in = 0; in < 3; in++) {
            int best = -1;
            double bestAbs = 0;
            for (int out = 0; out < 3; out++) {
                double v = used[out] ? 0 : Math.abs(rotation[out][in]);
                if (v > bestAbs) {
                    bestAbs = v;
                    best = out;
                }
            }
            if (best < 0 || bestAbs < 1e-8) {
                throw new NiftiException(NiftiException.Kind.INVALID_GEOMETRY,
                        "the voxel axes of the affine cannot be matched to world axes; fix the header's orientation");
            }
            used[best] = true;
            boolean negative = rotation[best][in] < 0;
            sourceAxis[best] = in;
            flipped[best] = negative;
            codes[in] = AXIS_LABELS[best][negative ? 0 : 1].charAt(0);
        }
        this.sourceAxisCodes = new String(codes);
        for (int j = 0; j < 3; j++) {
            canonicalShape[j] = nativeDims[sourceAxis[j]];
        }
        // native voxel coordinates as a function of canonical ones: n_i = flip ? (d_i - 1 - c_j) : c_j
        double[][] canonicalToNative = new double[4][4];
        for (int j = 0; j < 3; j++) {
            int i = sourceAxis[j];
            canonicalToNative[i][j] = flipped[j] ? -1 : 1;
            canonicalToNative[i][3] = flipped[j] ? nativeDims[i] - 1 : 0;
        }
        canonicalToNative[3][3] = 1;
        this.canonicalAffine = NiftiAffines.multiply(affine, canonicalToNative);
    }

    /**
     * The reorientation of a grid with this voxel-to-world affine and native size [X, Y, Z].
     *
     * @throws NiftiException {@code INVALID_GEOMETRY} when the affine is singular or not finite
     */
    public static Reorientation toClosestCanonical(double[][] affine, int[] dims) {
        if (affine.length != 4 || dims.length != 3) {
            throw new IllegalArgumentException("need a 4x4 affine and 3 dims");
        }
        for (int d : dims) {
            if (d < 1) {
                throw new IllegalArgumentException("dims must be positive: " + Arrays.toString(dims));
            }
        }
        NiftiAffines.requireUsable(affine, "header");
        return new Reorientation(NiftiAffines.copy(affine), dims);
    }

    /** Orientation of the native axes, as nibabel's {@code aff2axcodes}, e.g. "LPS" or "LIA". */
    public String sourceAxisCodes() {
        return sourceAxisCodes;
    }

    /** [X, Y, Z] of the canonical grid. */
    public int[] canonicalShape() {
        return canonicalShape.clone();
    }

    /** 4x4 voxel-to-world affine of the canonical grid. */
    public double[][] canonicalAffine() {
        return NiftiAffines.copy(canonicalAffine);
    }

    /** True when canonical axis j (0 = R, 1 = A, 2 = S) is native axis j with no flip. */
    public boolean isIdentityPermutation() {
        for (int j = 0; j < 3; j++) {
            if (sourceAxis[j] != j || flipped[j]) {
                return false;
            }
        }
        return true;
    }

    /** The image's voxels in canonical RAS+ C order, with the canonical shape and affine. */
    public CanonicalVolume toCanonical(NiftiImage image) {
        if (!Arrays.equals(image.dims(), nativeDims)) {
            throw new IllegalArgumentException("image dims " + Arrays.toString(image.dims())
                    + " differ from the dims this reorientation was made for " + Arrays.toString(nativeDims));
        }
        float[] in = image.data();
        float[] out = new float[in.length];
        Strides s = new Strides();
        for (int c2 = 0; c2 < canonicalShape[2]; c2 += BLOCK) {
            int end = Math.min(canonicalShape[2], c2 + BLOCK);
            for (int c0 = 0; c0 < canonicalShape[0]; c0++) {
                for (int c1 = 0; c1 < canonicalShape[1]; c1++) {
                    int canon = (c0 * canonicalShape[1] + c1) * canonicalShape[2];
                    int nat = s.base + c0 * s.s0 + c1 * s.s1;
                    for (int c = c2; c < end; c++) {
                        out[canon + c] = in[nat + c * s.s2];
                    }
                }
            }
        }
        return new CanonicalVolume(canonicalShape.clone(), out, canonicalAffine());
    }

    /** Canonical C-order values back to the native file order (x fastest); exact inverse of {@link #toCanonical}. */
    public float[] toNative(float[] canonicalCOrder) {
        requireLength(canonicalCOrder.length);
        float[] out = new float[canonicalCOrder.length];
        Strides s = new Strides();
        for (int c2 = 0; c2 < canonicalShape[2]; c2 += BLOCK) {
            int end = Math.min(canonicalShape[2], c2 + BLOCK);
            for (int c0 = 0; c0 < canonicalShape[0]; c0++) {
                for (int c1 = 0; c1 < canonicalShape[1]; c1++) {
                    int canon = (c0 * canonicalShape[1] + c1) * canonicalShape[2];
                    int nat = s.base + c0 * s.s0 + c1 * s.s1;
                    for (int c = c2; c < end; c++) {
                        out[nat + c * s.s2] = canonicalCOrder[canon + c];
                    }
                }
            }
        }
        return out;
    }

    /** As {@link #toNative(float[])} for label values. */
    public int[] toNative(int[] canonicalCOrder) {
        requireLength(canonicalCOrder.length);
        int[] out = new int[canonicalCOrder.length];
        Strides s = new Strides();
        for (int c2 = 0; c2 < canonicalShape[2]; c2 += BLOCK) {
            int end = Math.min(canonicalShape[2], c2 + BLOCK);
            for (int c0 = 0; c0 < canonicalShape[0]; c0++) {
                for (int c1 = 0; c1 < canonicalShape[1]; c1++) {
                    int canon = (c0 * canonicalShape[1] + c1) * canonicalShape[2];
                    int nat = s.base + c0 * s.s0 + c1 * s.s1;
                    for (int c = c2; c < end; c++) {
                        out[nat + c * s.s2] = canonicalCOrder[canon + c];
                    }
                }
            }
        }
        return out;
    }

    private void requireLength(int length) {
        if ((long) canonicalShape[0] * canonicalShape[1] * canonicalShape[2] != length) {
            throw new IllegalArgumentException("expected " + (long) canonicalShape[0] * canonicalShape[1] * canonicalShape[2]
                    + " canonical values for shape " + Arrays.toString(canonicalShape) + ", got " + length);
        }
    }

    /**
     * The orthogonal matrix closest to the affine's normalised 3x3 block (its polar factor, the
     * {@code P @ Qs} of nibabel's SVD), by Newton iteration {@code R <- (R + R^-T) / 2}.
     */
    private static double[][] closestRotation(double[][] affine) {
        double[][] r = new double[3][3];
        for (int j = 0; j < 3; j++) {
            double norm = Math.sqrt(affine[0][j] * affine[0][j] + affine[1][j] * affine[1][j] + affine[2][j] * affine[2][j]);
            for (int i = 0; i < 3; i++) {
                r[i][j] = affine[i][j] / (norm == 0 ? 1 : norm);
            }
        }
        for (int iter = 0; iter < 100; iter++) {
            double[][] invT = inverseTranspose(r);
            double change = 0;
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    double next = 0.5 * (r[i][j] + invT[i][j]);
                    change = Math.max(change, Math.abs(next - r[i][j]));
                    r[i][j] = next;
                }
            }
            if (change < 1e-15) {
                break;
            }
        }
        return r;
    }

    private static double[][] inverseTranspose(double[][] m) {
        double det = NiftiAffines.det3(new double[][] {m[0], m[1], m[2]});
        double[][] cof = new double[3][3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                int i1 = (i + 1) % 3;
                int i2 = (i + 2) % 3;
                int j1 = (j + 1) % 3;
                int j2 = (j + 2) % 3;
                cof[i][j] = (m[i1][j1] * m[i2][j2] - m[i1][j2] * m[i2][j1]) / det;
            }
        }
        return cof; // (M^-1)^T = cofactor matrix / det
    }

    /** Native offsets: native index = base + c0*s0 + c1*s1 + c2*s2 for canonical (c0, c1, c2). */
    private final class Strides {
        final int base;
        final int s0;
        final int s1;
        final int s2;

        Strides() {
            int[] nativeStride = {1, nativeDims[0], nativeDims[0] * nativeDims[1]};
            int b = 0;
            int[] s = new int[3];
            for (int j = 0; j < 3; j++) {
                int i = sourceAxis[j];
                s[j] = flipped[j] ? -nativeStride[i] : nativeStride[i];
                if (flipped[j]) {
                    b += (nativeDims[i] - 1) * nativeStride[i];
                }
            }
            base = b;
            s0 = s[0];
            s1 = s[1];
            s2 = s[2];
        }
    }
}
