package org.irisseg.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EmbeddingToleranceTest {

    @Test
    void aLargeValueMayDifferByItsRelativeShare() {
        float[] expected = {10f};
        float[] actual = {10f + (float) (0.5 * EmbeddingTolerance.RELATIVE * 10)};
        assertTrue(EmbeddingTolerance.excess(expected, actual, 1e-4) <= 0);
    }

    @Test
    void aDifferenceBeyondBothPartsFails() {
        float[] expected = {0.5f, 0f};
        float[] actual = {0.5f + (float) (1e-4 + EmbeddingTolerance.RELATIVE), 0f};
        assertTrue(EmbeddingTolerance.excess(expected, actual, 1e-4) > 0);
    }

    @Test
    void aSmallValueKeepsTheAbsoluteTolerance() {
        float[] expected = {0f};
        assertTrue(EmbeddingTolerance.excess(expected, new float[] {5e-5f}, 1e-4) <= 0);
        assertTrue(EmbeddingTolerance.excess(expected, new float[] {2e-4f}, 1e-4) > 0);
    }
}
