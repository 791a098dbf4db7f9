package org.irisseg.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class TaskTest {

    private static final String ID = "00000000-0000-0000-0000-000000000001";
    private static final List<TaskClass> CLASSES = List.of(new TaskClass(1, "a"), new TaskClass(2, "b"));

    private static TaskReference ref(int index, float a, float b, String model) {
        return new TaskReference(index, "", "", new int[] {2, 2, 2}, model,
                Map.of(1, new float[] {a, a}, 2, new float[] {b, b}));
    }

    @Test
    void moreReferencesJoinThePoolAndLeaveTheOriginalUnchanged() {
        Task task = new Task(ID, "tenant-a", "t", CLASSES, List.of(ref(0, 10, 0), ref(1, 0, 10)), "m@1", Instant.EPOCH);
        Task grown = task.withReferences(List.of(ref(2, 5, 5)));
        assertEquals(3, grown.references().size());
        assertArrayEquals(new float[] {5, 5}, grown.embeddings(1).get(2));
        assertEquals(2, task.references().size(), "the original task is unchanged");
    }

    @Test
    void theCacheWeightCountsEveryReferenceEmbedding() {
        Task one = new Task(ID, "tenant-a", "t", CLASSES, List.of(ref(0, 1, 2)), "m@1", Instant.EPOCH);
        Task two = one.withReferences(List.of(ref(1, 3, 4)));
        assertEquals(256 + 2 * (16 + 4 * 2), two.sizeBytes() - one.sizeBytes());
    }

    /**
     * {@code reference} with focus embeddings as a store loads them, in arrays of their own: {@code label1} for
     * label 1, a copy of its whole-volume embedding for label 2.
     */
    private static TaskReference withFocus(TaskReference reference, float[] label1) {
        return new TaskReference(reference.index(), "", "", reference.shape(), reference.modelVersion(),
                reference.embeddings(), Map.of(),
                new ReferenceFocus(48, Map.of(1, label1, 2, reference.embeddings().get(2).clone())));
    }

    @Test
    void aFocusEqualToTheWholeVolumeEmbeddingsIsHeldAndWeighedOnce() {
        TaskReference plain = ref(0, 1, 2);
        TaskReference focused = withFocus(plain, new float[] {1, 1});
        assertSame(focused.embeddings().get(1), focused.focus().embedding(1));
        assertSame(focused.embeddings().get(2), focused.focus().embedding(2));
        assertEquals(plain.embeddingBytes(), focused.embeddingBytes());
    }

    @Test
    void aFocusEmbeddingThatDiffersIsKeptAndWeighed() {
        TaskReference plain = ref(0, 1, 2);
        TaskReference focused = withFocus(plain, new float[] {1, 1.5f});
        assertArrayEquals(new float[] {1, 1.5f}, focused.focus().embedding(1));
        assertNotSame(focused.embeddings().get(1), focused.focus().embedding(1));
        assertEquals(plain.embeddingBytes() + 16 + 4 * 2, focused.embeddingBytes());
    }

    @Test
    void referenceVolumesOfAClassComeInPoolOrderLeavingOutReferencesWithoutThem() {
        TaskReference measured = new TaskReference(1, "", "", new int[] {2, 2, 2}, "m@1",
                Map.of(1, new float[] {1, 1}, 2, new float[] {2, 2}), Map.of(1, 1.25, 2, 0.5));
        Task task = new Task(ID, "tenant-a", "t", CLASSES, List.of(ref(0, 1, 2), measured), "m@1", Instant.EPOCH);
        assertEquals(List.of(1.25), task.referenceVolumesMl(1));
        assertEquals(List.of(0.5), task.referenceVolumesMl(2));
    }

    @Test
    void embeddingsOfAClassComeInPoolOrder() {
        Task task = new Task(ID, "tenant-a", "t", CLASSES, List.of(ref(0, 1, 2), ref(1, 3, 4)), "m@1", Instant.EPOCH);
        assertEquals(1f, task.embeddings(1).get(0)[0]);
        assertEquals(3f, task.embeddings(1).get(1)[0]);
        assertEquals(4f, task.embeddings(2).get(1)[0]);
    }

    @Test
    void refusesEmbeddingsOfAnotherModel() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Task(ID, "tenant-a", "t", CLASSES, List.of(ref(0, 1, 2), ref(1, 3, 4, "m@2")), "m@1", Instant.EPOCH));
        assertTrue(e.getMessage().contains("m@2"));
    }

    @Test
    void refusesAReferenceWithoutEveryClass() {
        TaskReference partial = new TaskReference(0, "", "", new int[] {1, 1, 1}, "m@1",
                Map.of(1, new float[] {1}));
        assertThrows(IllegalArgumentException.class,
                () -> new Task(ID, "tenant-a", "t", CLASSES, List.of(partial), "m@1", Instant.EPOCH));
    }

    @Test
    void findsClassesByLabelOrName() {
        Task task = new Task(ID, "tenant-a", "t", CLASSES, List.of(ref(0, 1, 2)), "m@1", Instant.EPOCH);
        assertEquals(2, task.findClass("b").orElseThrow().label());
        assertEquals(1, task.findClass("1").orElseThrow().label());
        assertTrue(task.findClass("3").isEmpty());
    }

    private static TaskReference ref(int index, float a, float b) {
        return ref(index, a, b, "m@1");
    }
}
