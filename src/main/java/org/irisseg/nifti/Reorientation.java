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

    /** Tile edge (voxels) of the cache-blocked walk: 16 floats = one 64-byte cache line. */
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
        new Walk().forEachRun((canon, nat, step, n) -> {
            for (int k = 0; k < n; k++) {
                out[canon + k] = in[nat + k * step];
            }
        });
        return new CanonicalVolume(canonicalShape.clone(), out, canonicalAffine());
    }

    /** Canonical C-order values back to the native file order (x fastest); exact inverse of {@link #toCanonical}. */
    public float[] toNative(float[] canonicalCOrder) {
        requireLength(canonicalCOrder.length);
        float[] out = new float[canonicalCOrder.length];
        new Walk().forEachRun((canon, nat, step, n) -> {
            for (int k = 0; k < n; k++) {
                out[nat + k * step] = canonicalCOrder[canon + k];
            }
        });
        return out;
    }

    /** As {@link #toNative(float[])} for label values. */
    public int[] toNative(int[] canonicalCOrder) {
        requireLength(canonicalCOrder.length);
        int[] out = new int[canonicalCOrder.length];
        new Walk().forEachRun((canon, nat, step, n) -> {
            for (int k = 0; k < n; k++) {
                out[nat + k * step] = canonicalCOrder[canon + k];
            }
        });
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

    /**
     * Receives a run of {@code n} voxels along the canonical fastest axis: canonical indices
     * {@code canonical + k}, native indices {@code nativeIndex + k * nativeStep}, k = 0..n-1.
     */
    @FunctionalInterface
    private interface Run {
        void move(int canonical, int nativeIndex, int nativeStep, int n);
    }

    /**
     * Visits every voxel, as runs along the canonical fastest axis, in a cache-friendly order: when the native contiguous axis (x) is not the canonical fastest axis, 16x16 tiles of those
     * two axes are walked so that reads and writes both use whole cache lines.
     */
    private final class Walk {
        /** native index = base + c0*ns[0] + c1*ns[1] + c2*ns[2] */
        private final int[] ns = new int[3];
        /** canonical index = c0*cs[0] + c1*cs[1] + c2 */
        private final int[] cs = {canonicalShape[1] * canonicalShape[2], canonicalShape[2], 1};
        private int base;

        Walk() {
            int[] nativeStride = {1, nativeDims[0], nativeDims[0] * nativeDims[1]};
            for (int j = 0; j < 3; j++) {
                int i = sourceAxis[j];
                ns[j] = flipped[j] ? -nativeStride[i] : nativeStride[i];
                if (flipped[j]) {
                    base += (nativeDims[i] - 1) * nativeStride[i];
                }
            }
        }

        void forEachRun(Run run) {
            int a = 0; // the canonical axis that native x maps to
            while (sourceAxis[a] != 0) {
                a++;
            }
            if (a == 2) {
                for (int c0 = 0; c0 < canonicalShape[0]; c0++) {
                    for (int c1 = 0; c1 < canonicalShape[1]; c1++) {
                        int canon = c0 * cs[0] + c1 * cs[1];
                        int nat = base + c0 * ns[0] + c1 * ns[1];
                        run.move(canon, nat, ns[2], canonicalShape[2]);
                    }
                }
                return;
            }
            int b = 1 - a; // the remaining axis, walked outermost
            for (int cb = 0; cb < canonicalShape[b]; cb++) {
                int canonB = cb * cs[b];
                int natB = base + cb * ns[b];
                for (int ta = 0; ta < canonicalShape[a]; ta += BLOCK) {
                    int endA = Math.min(canonicalShape[a], ta + BLOCK);
                    for (int t2 = 0; t2 < canonicalShape[2]; t2 += BLOCK) {
                        int end2 = Math.min(canonicalShape[2], t2 + BLOCK);
                        for (int ca = ta; ca < endA; ca++) {
                            int canon = canonB + ca * cs[a];
                            int nat = natB + ca * ns[a];
                            run.move(canon + t2, nat + t2 * ns[2], ns[2], end2 - t2);
                        }
                    }
                }
            }
        }
    }
}
