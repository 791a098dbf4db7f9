package org.irisseg.task;

import java.util.List;

/** Arithmetic on flat task embeddings (length E each, see docs/export-contract.md). */
public final class EmbeddingMath {

    private EmbeddingMath() {
    }

    /** Element-wise mean of equally long vectors (context ensemble). */
    public static float[] mean(List<float[]> vectors) {
        if (vectors.isEmpty()) {
            throw new IllegalArgumentException("Mean of no embeddings");
        }
        int dim = vectors.get(0).length;
        double[] sum = new double[dim];
        for (float[] v : vectors) {
            if (v.length != dim) {
                throw new IllegalArgumentException("Embeddings of different lengths: " + dim + " and " + v.length);
            }
            for (int i = 0; i < dim; i++) {
                sum[i] += v[i];
            }
        }
        float[] out = new float[dim];
        for (int i = 0; i < dim; i++) {
            out[i] = (float) (sum[i] / vectors.size());
        }
        return out;
    }

    /** Cosine similarity in [-1, 1]; 0 when either vector is all zeros. */
    public static double cosine(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("Embeddings of different lengths: " + a.length + " and " + b.length);
        }
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
    }
}
