package org.irisseg.error;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

class ProblemTypeTest {

    @Test
    void everyCauseHasItsOwnTypeUriAndAnErrorStatus() {
        assertEquals(ProblemType.values().length,
                Arrays.stream(ProblemType.values()).map(ProblemType::uri).distinct().count());
        for (ProblemType type : ProblemType.values()) {
            assertTrue(type.status() >= 400 && type.status() < 600, type.name());
            assertTrue(type.uri().toString().startsWith(ProblemType.BASE), type.name());
        }
    }
}
