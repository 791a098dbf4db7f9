package org.irisseg.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.IntStream;

import org.irisseg.error.IrisException;
import org.irisseg.error.ProblemType;
import org.junit.jupiter.api.Test;

class LabelSetTest {

    private static List<Integer> labels(int count) {
        return IntStream.rangeClosed(1, count).boxed().toList();
    }

    @Test
    void aNewTaskMayHaveAsManyClassesAsTheCap() {
        assertEquals(labels(32), LabelSet.classes(labels(32), null, 32, "reference 1 mask"));
    }

    @Test
    void aNewTaskWithMoreClassesThanTheCapIsRefusedNamingTheCap() {
        IrisException e = assertThrows(IrisException.class,
                () -> LabelSet.classes(labels(256), null, 32, "reference 1 mask"));
        assertEquals(ProblemType.TOO_MANY_CLASSES, e.type());
        assertTrue(e.getMessage().startsWith("Reference 1 mask has 256 distinct labels; a task may have at most 32"
                + " classes (iris.admission.max-classes)"), e.getMessage());
    }

    @Test
    void anAddedReferenceMustShowExactlyTheTasksClasses() {
        assertEquals(ProblemType.UNKNOWN_CLASS, assertThrows(IrisException.class,
                () -> LabelSet.classes(List.of(1, 3), List.of(1, 2), 32, "reference 1 mask")).type());
        assertEquals(ProblemType.EMPTY_MASK, assertThrows(IrisException.class,
                () -> LabelSet.classes(List.of(1), List.of(1, 2), 32, "reference 1 mask")).type());
        assertEquals(List.of(1, 2), LabelSet.classes(List.of(1, 2), List.of(1, 2), 32, "reference 1 mask"));
    }

    @Test
    void aMaskWithoutLabelsOrWithALabelAboveUint16IsRefused() {
        assertEquals(ProblemType.EMPTY_MASK, assertThrows(IrisException.class,
                () -> LabelSet.classes(List.of(), null, 32, "reference 1 mask")).type());
        assertEquals(ProblemType.INVALID_VALUES, assertThrows(IrisException.class,
                () -> LabelSet.classes(List.of(70000), null, 32, "reference 1 mask")).type());
    }
}
