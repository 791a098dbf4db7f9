package org.irisseg.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The focus policy's boxes, worked out by hand from {@code training/irisseg/boxes.py}'s rules. */
class FocusPolicyTest {

    private static final double[] ONE_MM = {1, 1, 1};

    @Test
    void aSmallObjectGetsTheSmallestSide() {
        // 10 x 4 x 6 mm: twice its extent is 20 mm, below 48
        assertEquals(48.0, FocusPolicy.sideMm(new Box(50, 60, 50, 54, 50, 56), ONE_MM));
    }

    @Test
    void aLargeObjectGetsTwiceItsLargestPhysicalExtent() {
        // 30 voxels of 2 mm along y is the largest extent: 60 mm
        assertEquals(120.0, FocusPolicy.sideMm(new Box(0, 40, 0, 30, 0, 10), new double[] {1, 2, 1.5}));
    }

    @Test
    void theReferenceBoxIsACubeInMillimetresCentredOnTheObject() {
        // centre (54.5, 51.5, 52.5); 48 voxels from round(centre - 24), half to even
        Box box = FocusPolicy.referenceBox(new Box(50, 60, 50, 54, 50, 56), ONE_MM, new int[] {200, 200, 200});
        assertEquals(new Box(30, 78, 28, 76, 28, 76), box);
    }

    @Test
    void anisotropicVoxelsGiveFewerVoxelsAlongTheirLongAxis() {
        Box box = FocusPolicy.referenceBox(new Box(100, 104, 100, 104, 10, 11), new double[] {0.5, 0.5, 6},
                new int[] {512, 512, 40});
        assertEquals(96, box.sizeX());
        assertEquals(96, box.sizeY());
        assertEquals(8, box.sizeZ());
    }

    @Test
    void aBoxAtTheEdgeIsShiftedInsideTheVolume() {
        Box box = FocusPolicy.referenceBox(new Box(0, 3, 97, 100, 40, 43), ONE_MM, new int[] {100, 100, 100});
        assertEquals(new Box(0, 48, 52, 100, 17, 65), box);
    }

    @Test
    void aVolumeSmallerThanTheBoxClampsItToTheVolume() {
        Box box = FocusPolicy.referenceBox(new Box(10, 20, 10, 20, 10, 20), ONE_MM, new int[] {35, 40, 35});
        assertEquals(Box.whole(new int[] {35, 40, 35}), box);
    }

    @Test
    void theQueryBoxTakesTheReferenceSideWhereTheFoundObjectIsSmaller() {
        Box box = FocusPolicy.queryBox(new Box(50, 60, 50, 54, 50, 56), ONE_MM, 80.0, new int[] {200, 200, 200});
        assertEquals(80, box.sizeX());
        assertEquals(80, box.sizeZ());
    }

    @Test
    void theQueryBoxGrowsToTwiceAFoundObjectLargerThanTheReferences() {
        Box found = new Box(20, 80, 20, 30, 20, 30);
        Box box = FocusPolicy.queryBox(found, ONE_MM, 48.0, new int[] {200, 200, 200});
        assertEquals(120, box.sizeX());
        assertTrue(box.contains(found));
    }

    @Test
    void theReferenceBoxHoldsTheObjectWhateverItsSizeAndPlace() {
        int[] shape = {64, 48, 30};
        double[] spacing = {0.8, 1.2, 3.0};
        for (int x0 = 0; x0 < 60; x0 += 7) {
            for (int size = 1; size <= 64 - x0; size += 5) {
                Box object = new Box(x0, x0 + size, 10, 10 + Math.min(size, 38), 3, 3 + Math.min(size, 27));
                Box box = FocusPolicy.referenceBox(object, spacing, shape);
                assertTrue(box.contains(object), object + " outside " + box);
                assertTrue(box.within(shape), box.toString());
            }
        }
    }

    @Test
    void anEmptyObjectHasNoBox() {
        assertThrows(IllegalArgumentException.class,
                () -> FocusPolicy.referenceBox(new Box(0, 0, 0, 0, 0, 0), ONE_MM, new int[] {10, 10, 10}));
    }

    @Test
    void windowStartsCoverTheRangeEvenlyAndStayInsideTheAxis() {
        // numpy's linspace(10, 50, 3), linspace(3, 30, 3) rounded half to even
        assertArrayEquals(new int[] {10, 30, 50}, FocusPolicy.windowStarts(10, 90, 40, 100, 0.25));
        assertArrayEquals(new int[] {3, 16, 30}, FocusPolicy.windowStarts(3, 50, 20, 60, 0.25));
        assertArrayEquals(new int[] {0}, FocusPolicy.windowStarts(0, 30, 40, 100, 0.25));
        assertArrayEquals(new int[] {60}, FocusPolicy.windowStarts(95, 100, 40, 100, 0.25));
    }

    @Test
    void aFoundObjectTheReferenceBoxHoldsGetsTheOneQueryBox() {
        Box found = new Box(40, 50, 40, 50, 40, 50);
        int[] shape = {100, 100, 100};
        assertEquals(List.of(FocusPolicy.queryBox(found, ONE_MM, 40, shape)),
                FocusPolicy.queryWindows(found, ONE_MM, 40, shape).boxes());
    }

    @Test
    void aLargerFoundObjectGetsOverlappingWindowsOfTheReferenceSide() {
        // 100 mm along x: twice that exceeds 48; the found bounds grown by 12 voxels, windows of 48 overlapping
        List<Box> windows = FocusPolicy.queryWindows(new Box(40, 140, 40, 60, 40, 60), ONE_MM, 48,
                new int[] {200, 100, 100}).boxes();
        assertEquals(List.of(new Box(28, 76, 26, 74, 26, 74), new Box(53, 101, 26, 74, 26, 74),
                new Box(79, 127, 26, 74, 26, 74), new Box(104, 152, 26, 74, 26, 74)), windows);
    }

    @Test
    void windowsAreCubesInMillimetresAndGrowHalfToEven() {
        // z: 30 voxels of 2 mm, grown by rint(7.5) = 8; x and y: the whole 60 mm axis
        List<Box> windows = FocusPolicy.queryWindows(new Box(10, 110, 30, 50, 10, 30), new double[] {0.5, 0.5, 2},
                60, new int[] {120, 120, 40}).boxes();
        assertEquals(List.of(new Box(0, 120, 0, 120, 2, 32), new Box(0, 120, 0, 120, 8, 38)), windows);
    }

    @Test
    void aFoundObjectNeedingMoreThanTheMostWindowsGetsTheOneGrownBox() {
        Box found = new Box(20, 180, 20, 180, 20, 180);
        int[] shape = {200, 200, 200};
        assertEquals(List.of(FocusPolicy.queryBox(found, ONE_MM, 48, shape)),
                FocusPolicy.queryWindows(found, ONE_MM, 48, shape).boxes());
    }
}
