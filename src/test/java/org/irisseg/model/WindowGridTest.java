package org.irisseg.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

class WindowGridTest {

    private static final WindowGrid TWO_BY_ONE_BY_THREE =
            new WindowGrid(new int[][] {{0, 6}, {2}, {0, 3, 6}}, new int[] {8, 5, 4});

    @Test
    void theWindowsAreEveryCombinationOfTheAxesRangesWithZFastest() {
        List<Box> boxes = TWO_BY_ONE_BY_THREE.boxes();
        assertEquals(6, TWO_BY_ONE_BY_THREE.size());
        assertEquals(List.of(new Box(0, 8, 2, 7, 0, 4), new Box(0, 8, 2, 7, 3, 7), new Box(0, 8, 2, 7, 6, 10),
                new Box(6, 14, 2, 7, 0, 4), new Box(6, 14, 2, 7, 3, 7), new Box(6, 14, 2, 7, 6, 10)), boxes);
    }

    @Test
    void theBoundsAreTheUnionOfTheWindows() {
        Box union = TWO_BY_ONE_BY_THREE.boxes().stream().reduce(Box::union).orElseThrow();
        assertEquals(union, TWO_BY_ONE_BY_THREE.bounds());
    }

    @Test
    void coverCountsTheWindowsOverEachCoordinateOfTheBounds() {
        int[][] cover = TWO_BY_ONE_BY_THREE.coverPerAxis();
        assertArrayEquals(new int[] {1, 1, 1, 1, 1, 1, 2, 2, 1, 1, 1, 1, 1, 1}, cover[0]);
        assertArrayEquals(new int[] {1, 1, 1, 1, 1}, cover[1]);
        assertArrayEquals(new int[] {1, 1, 1, 2, 1, 1, 2, 1, 1, 1}, cover[2]);
    }

    @Test
    void coverTimesAcrossAxesIsTheNumberOfWindowsOverEachVoxel() {
        Box bounds = TWO_BY_ONE_BY_THREE.bounds();
        int[][] cover = TWO_BY_ONE_BY_THREE.coverPerAxis();
        for (int x = bounds.x0(); x < bounds.x1(); x++) {
            for (int y = bounds.y0(); y < bounds.y1(); y++) {
                for (int z = bounds.z0(); z < bounds.z1(); z++) {
                    int over = 0;
                    for (Box w : TWO_BY_ONE_BY_THREE.boxes()) {
                        over += w.contains(new Box(x, x + 1, y, y + 1, z, z + 1)) ? 1 : 0;
                    }
                    assertEquals(over, cover[0][x - bounds.x0()] * cover[1][y - bounds.y0()] * cover[2][z - bounds.z0()]);
                }
            }
        }
    }

    @Test
    void aWindowRepeatedAlongAnAxisIsCountedAsOftenAsItIsVisited() {
        WindowGrid repeated = new WindowGrid(new int[][] {{4, 4}, {0}, {0}}, new int[] {3, 2, 2});
        assertEquals(2, repeated.boxes().size());
        assertArrayEquals(new int[] {2, 2, 2}, repeated.coverPerAxis()[0]);
    }

    @Test
    void theGridOfOneBoxIsThatBox() {
        Box box = new Box(3, 9, 0, 4, 7, 8);
        WindowGrid one = WindowGrid.of(box);
        assertEquals(List.of(box), one.boxes());
        assertEquals(box, one.bounds());
        assertEquals(1, one.size());
    }

    @Test
    void gridsWithTheSameWindowsAreEqualAndCopiesCannotChangeThem() {
        int[][] starts = {{0, 6}, {2}, {0, 3, 6}};
        WindowGrid grid = new WindowGrid(starts, new int[] {8, 5, 4});
        starts[0][1] = 7;
        grid.starts()[2][0] = 5;
        assertEquals(TWO_BY_ONE_BY_THREE, grid);
        assertEquals(TWO_BY_ONE_BY_THREE.hashCode(), grid.hashCode());
        assertNotEquals(TWO_BY_ONE_BY_THREE, WindowGrid.of(new Box(0, 8, 2, 7, 0, 4)));
    }

    @Test
    void descendingStartsOrAnAxisWithoutWindowsAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> new WindowGrid(new int[][] {{5, 2}, {0}, {0}}, new int[] {3, 3, 3}));
        assertThrows(IllegalArgumentException.class,
                () -> new WindowGrid(new int[][] {{0}, {}, {0}}, new int[] {3, 3, 3}));
        assertThrows(IllegalArgumentException.class,
                () -> new WindowGrid(new int[][] {{0}, {0}, {0}}, new int[] {3, 0, 3}));
    }
}
