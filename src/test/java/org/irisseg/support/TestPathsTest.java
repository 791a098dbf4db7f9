package org.irisseg.support;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TestPathsTest {

    @Test
    void anyValueButEmptyZeroOrFalseRequiresTheData() {
        assertTrue(TestPaths.isRequired("1"));
        assertTrue(TestPaths.isRequired("true"));
        assertTrue(TestPaths.isRequired("yes"));
    }

    @Test
    void anAbsentBlankZeroOrFalseSwitchLetsMissingDataSkip() {
        assertFalse(TestPaths.isRequired(null));
        assertFalse(TestPaths.isRequired(" "));
        assertFalse(TestPaths.isRequired("0"));
        assertFalse(TestPaths.isRequired("False"));
    }
}
