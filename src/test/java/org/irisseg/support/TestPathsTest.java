package org.irisseg.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

class TestPathsTest {

    @Test
    void anyValueButEmptyZeroOrFalseRequiresTheData() {
        List<String> values = Arrays.asList("1", "true", "yes", null, " ", "0", "False");
        List<Boolean> required = values.stream().map(TestPaths::isRequired).toList();
        assertEquals(List.of(true, true, true, false, false, false, false), required, values.toString());
    }
}
