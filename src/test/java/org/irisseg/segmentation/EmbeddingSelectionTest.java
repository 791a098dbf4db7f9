package org.irisseg.segmentation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.irisseg.error.IrisException;
import org.irisseg.error.ProblemType;
import org.irisseg.task.Task;
import org.irisseg.task.TaskClass;
import org.irisseg.task.TaskReference;
import org.junit.jupiter.api.Test;

class EmbeddingSelectionTest {

    private static final List<TaskClass> CLASSES = List.of(new TaskClass(1, "a"), new TaskClass(2, "b"));

    private static Task task() {
        return new Task("00000000-0000-0000-0000-000000000001", "tenant-a", "t", CLASSES, List.of(
                ref(0, new float[] {1, 0}, new float[] {0, 2}),
                ref(1, new float[] {3, 0}, new float[] {0, 4}),
                ref(2, new float[] {0, 5}, new float[] {6, 0})), "m@1", Instant.EPOCH);
    }

    private static TaskReference ref(int index, float[] a, float[] b) {
        return new TaskReference(index, "", "", new int[] {1, 1, 1}, "m@1", Map.of(1, a, 2, b));
    }

    @Test
    void oneShotTakesTheChosenReference() {
        float[][] e = EmbeddingSelection.oneShot(task(), CLASSES, 1).embeddings();
        assertArrayEquals(new float[] {3, 0}, e[0]);
        assertArrayEquals(new float[] {0, 4}, e[1]);
    }

    @Test
    void oneShotSaysEveryClassUsedOnlyTheChosenReference() {
        assertEquals(Map.of(1, List.of(1), 2, List.of(1)),
                EmbeddingSelection.oneShot(task(), CLASSES, 1).referencesUsed());
    }

    @Test
    void oneShotRefusesAnIndexOutsideThePool() {
        IrisException e = assertThrows(IrisException.class, () -> EmbeddingSelection.oneShot(task(), CLASSES, 3));
        assertEquals(ProblemType.INVALID_PARAMETER, e.type());
    }

    @Test
    void ensembleIsThePerClassMean() {
        float[][] e = EmbeddingSelection.ensemble(task(), List.of(CLASSES.get(1))).embeddings();
        assertEquals(1, e.length);
        assertArrayEquals(new float[] {2, 2}, e[0], 1e-6f);
    }

    @Test
    void ensembleSaysTheChosenClassesUsedTheWholePool() {
        assertEquals(Map.of(2, List.of(0, 1, 2)),
                EmbeddingSelection.ensemble(task(), List.of(CLASSES.get(1))).referencesUsed());
    }

    @Test
    void topKOrdersByCosineAndKeepsPoolOrderOnTies() {
        List<float[]> pool = List.of(new float[] {1, 0}, new float[] {0, 1}, new float[] {2, 0}, new float[] {1, 1});
        assertEquals(List.of(0, 2, 3), EmbeddingSelection.topK(new float[] {5, 0}, pool, 3));
        assertEquals(List.of(1, 3, 0, 2), EmbeddingSelection.topK(new float[] {0, 1}, pool, 10));
        assertArrayEquals(new float[] {1.5f, 0}, EmbeddingSelection.meanOf(pool, List.of(0, 2)));
    }
}
