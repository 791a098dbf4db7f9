package org.irisseg.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.irisseg.model.Box;
import org.irisseg.nifti.CanonicalVolume;
import org.junit.jupiter.api.Test;

class ClassBoxesTest {

    /** A 4 x 5 x 6 canonical map: label 3 at (1,2,3) and (2,4,5), label 7 at (0,0,0), label 9 at (3,1,2). */
    private static CanonicalVolume map() {
        int[] shape = {4, 5, 6};
        float[] labels = new float[4 * 5 * 6];
        labels[(1 * 5 + 2) * 6 + 3] = 3;
        labels[(2 * 5 + 4) * 6 + 5] = 3;
        labels[0] = 7;
        labels[(3 * 5 + 1) * 6 + 2] = 9;
        return new CanonicalVolume(shape, labels, new double[][] {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}});
    }

    @Test
    void eachClassHasTheBoxAroundItsVoxelsAndTheirCount() {
        ClassBoxes boxes = ClassBoxes.of(map(), List.of(3, 7, 9));
        assertEquals(new Box(1, 3, 2, 5, 3, 6), boxes.box(0));
        assertEquals(2, boxes.count(0));
        assertEquals(new Box(0, 1, 0, 1, 0, 1), boxes.box(1));
        assertEquals(1, boxes.count(1));
        assertEquals(new Box(3, 4, 1, 2, 2, 3), boxes.box(2));
    }

    @Test
    void aClassMaskIsOneOnItsVoxelsOverItsBoxInCOrder() {
        float[] mask = ClassBoxes.of(map(), List.of(3, 7, 9)).mask(0);
        float[] expected = new float[2 * 3 * 3];
        expected[0] = 1;
        expected[(1 * 3 + 2) * 3 + 2] = 1;
        assertArrayEquals(expected, mask);
    }

    @Test
    void valuesThatAreNotListedClassesAreBackground() {
        ClassBoxes boxes = ClassBoxes.of(map(), List.of(3, 9));
        assertEquals(new Box(1, 3, 2, 5, 3, 6), boxes.box(0));
        assertEquals(2, boxes.count(0));
        assertEquals(new Box(3, 4, 1, 2, 2, 3), boxes.box(1));
        assertEquals(1, boxes.count(1));
    }

    @Test
    void aClassWithoutVoxelsHasAnEmptyBoxAndNoCount() {
        ClassBoxes boxes = ClassBoxes.of(map(), List.of(3, 5));
        assertTrue(boxes.box(1).isEmpty());
        assertEquals(0, boxes.count(1));
    }
}
