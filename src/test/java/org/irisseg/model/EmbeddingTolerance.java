package org.irisseg.model;

/**
 * The export contract's tolerance for embeddings (docs/export-contract.md, "Test vectors"): a value may differ from
 * the expected one by the case's absolute tolerance plus {@link #RELATIVE} times the expected value's magnitude.
 * Embeddings hold float32 means over up to G^3 voxels, whose rounding depends on the CPU's vector width.
 */
public final class EmbeddingTolerance {

    /** Relative part of the tolerance; {@code EMBEDDING_RTOL} in {@code irisseg/testvectors.py}. */
    public static final double RELATIVE = 1e-3;

    private EmbeddingTolerance() {
    }

    /** How far {@code expected} may be missed: {@code tolerance + RELATIVE * |expected|}. */
    public static double allowed(double tolerance, float expected) {
        return tolerance + RELATIVE * Math.abs(expected);
    }

    /** The largest amount by which {@code actual} misses {@code expected} beyond the allowance (<= 0: within). */
    public static double excess(float[] expected, float[] actual, double tolerance) {
        double worst = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]) - allowed(tolerance, expected[i]));
        }
        return worst;
    }
}
