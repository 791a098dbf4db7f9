package org.irisseg.api;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;

import org.irisseg.support.IrisIntegrationTest;
import org.irisseg.support.Multipart;
import org.irisseg.support.NiftiBytes;
import org.irisseg.support.ProblemAssertions;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/**
 * Task names and class names are shown back to people: longer than allowed, unprintable or holding a
 * bidirectional control they are refused (400); label keys that are not canonical numbers, or that name one
 * label twice, are refused naming the key, before anything is read or encoded.
 */
class NameValidationTest extends IrisIntegrationTest {

    private HttpResponse<byte[]> register(String name, String labels) {
        Multipart form = Multipart.form().field("name", name)
                .file("references", "image.nii", NiftiBytes.volume(8, 8, 8).blob().nii())
                .file("masks", "mask.nii", NiftiBytes.volume(8, 8, 8).twoLabelBall(2).nii());
        if (labels != null) {
            form.field("labels", labels);
        }
        return client().post("/api/v1/tasks", form, "application/json");
    }

    private static String detail(HttpResponse<byte[]> response) {
        JsonNode problem = ProblemAssertions.assertProblem(response, 400, "invalid-parameter");
        return problem.path("detail").asString();
    }

    @Test
    void aTaskNameWithARightToLeftOverrideIsRefused() {
        String detail = detail(register("Hippocampus \u202Egpj.exe", null));
        assertTrue(detail.contains("U+202E"), detail);
    }

    @Test
    void everyBidirectionalControlIsRefusedInATaskName() {
        for (int cp : new int[] {0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068,
                0x2069, 0x061C}) {
            detail(register("task " + Character.toString(cp) + " name", null));
        }
    }

    @Test
    void aTaskNameTooLongOrWithALineBreakIsRefused() {
        detail(register("x".repeat(201), null));
        detail(register("two\u2028lines", null));
        detail(register("tab\there", null));
    }

    @Test
    void aClassNameWithARightToLeftOverrideIsRefused() {
        String detail = detail(register("task", "{\"1\":\"left \u202Eright\",\"2\":\"b\"}"));
        assertTrue(detail.contains("label 1") && detail.contains("U+202E"), detail);
    }

    @Test
    void labelKeysThatAreNotCanonicalNumbersAreRefusedNamingTheKey() {
        for (String key : new String[] {"01", "+1", " 1", "1 ", "1.0", "0x1"}) {
            String detail = detail(register("task", "{\"" + key + "\":\"a\"}"));
            assertTrue(detail.contains("key \"" + key.replace(' ', '?') + "\""), detail);
        }
    }

    @Test
    void aLabelNamedTwiceIsRefused() {
        String detail = detail(register("task", "{\"1\":\"a\",\"1\":\"b\"}"));
        assertTrue(detail.contains("label 1 twice"), detail);
    }
}
