package org.irisseg.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;

import org.irisseg.error.IrisException;
import org.irisseg.error.ProblemType;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.json.JsonMapper;

class LabelNamesTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void parsesLabelValueToName() {
        assertEquals(Map.of(1, "anterior", 2, "posterior"),
                LabelNames.parse("{\"1\":\"anterior\",\"2\":\" posterior \"}", JSON));
        assertEquals(Map.of(), LabelNames.parse(null, JSON));
    }

    @Test
    void refusesAnythingElse() {
        for (String bad : new String[] {"[1,2]", "{\"x\":\"a\"}", "{\"0\":\"background\"}", "{\"1\":\"\"}",
                "{\"1\":3}", "{\"70000\":\"a\"}", "{not json"}) {
            IrisException e = assertThrows(IrisException.class, () -> LabelNames.parse(bad, JSON), bad);
            assertEquals(ProblemType.INVALID_PARAMETER, e.type());
        }
    }
}
