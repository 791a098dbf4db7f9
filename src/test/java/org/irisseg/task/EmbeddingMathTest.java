package org.irisseg.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

class EmbeddingMathTest {

    @Test
    void meanIsElementWise() {
        float[] mean = EmbeddingMath.mean(List.of(new float[] {1, 2, 3}, new float[] {3, 4, 5}));
        assertArrayEquals(new float[] {2, 3, 4}, mean);
    }

    @Test
    void meanRefusesMixedLengths() {
        assertThrows(IllegalArgumentException.class,
                () -> EmbeddingMath.mean(List.of(new float[] {1, 2}, new float[] {1, 2, 3})));
    }

    @Test
    void cosineOfParallelOppositeAndOrthogonalVectors() {
        assertEquals(1.0, EmbeddingMath.cosine(new float[] {1, 2, 3}, new float[] {2, 4, 6}), 1e-9);
        assertEquals(-1.0, EmbeddingMath.cosine(new float[] {1, 2, 3}, new float[] {-1, -2, -3}), 1e-9);
        assertEquals(0.0, EmbeddingMath.cosine(new float[] {1, 0}, new float[] {0, 5}), 1e-9);
        assertEquals(0.0, EmbeddingMath.cosine(new float[] {0, 0}, new float[] {1, 1}), 1e-9);
    }
}
