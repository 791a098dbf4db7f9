package org.irisseg.task;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The {@code focus_windows} test vector case ({@link FocusVectorsCase}): the query's structure is larger than
 * the reference's box allows, so the focused passes run in overlapping windows, averaged where they overlap.
 */
class FocusWindowsVectorsTest extends FocusVectorsCase {

    @Override
    String caseName() {
        return "focus_windows";
    }

    @Test
    void theCaseRunsSeveralWindows() {
        assertTrue(windows().size() > 1, "windows: " + windows());
    }
}
