package org.irisseg.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.irisseg.nifti.NiftiImage;
import org.irisseg.nifti.NiftiLimits;
import org.irisseg.nifti.NiftiReader;
import org.irisseg.nifti.NiftiWriter;
import org.irisseg.support.Hippocampus;
import org.irisseg.support.IrisClient;
import org.irisseg.support.IrisIntegrationTest;
import org.irisseg.support.Multipart;
import org.irisseg.support.TestPaths;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/** Every answer's per-class quality, over real HTTP with the real model and data. */
class QualityApiTest extends IrisIntegrationTest {

    private static String taskId;

    private final String query = Hippocampus.QUERIES.get(1);

    @BeforeEach
    void registerOnce() throws Exception {
        if (taskId == null) {
            taskId = registerHippocampus("quality", Hippocampus.REFERENCES);
        }
    }

    private Multipart form(String task, String mode) {
        return Multipart.form().file("image", Hippocampus.image(query)).field("taskId", task).field("mode", mode);
    }

    private JsonNode statistics(String task, String mode) {
        HttpResponse<byte[]> response = client().post("/api/v1/segmentations?output=statistics", form(task, mode), null);
        assertEquals(200, response.statusCode(), new String(response.body()));
        return IrisClient.json(response);
    }

    @Test
    void everyClassOfAnEnsembleAnswerCarriesItsQualityMetrics() {
        for (JsonNode c : statistics(taskId, "ensemble").path("classes")) {
            JsonNode q = c.path("quality");
            assertTrue(q.path("referenceVolumeMinMl").asDouble() > 0, q.toString());
            assertTrue(q.path("referenceVolumeMinMl").asDouble() <= q.path("referenceVolumeMaxMl").asDouble());
            assertTrue(q.path("meanProbability").asDouble() > 0.5 && q.path("meanProbability").asDouble() <= 1);
            assertTrue(Math.abs(q.path("referenceSimilarity").asDouble()) <= 1, q.toString());
            assertEquals(3, q.path("members").asInt());
            double agreement = q.path("memberAgreement").asDouble(-1);
            assertTrue(agreement >= 0 && agreement <= 1, q.toString());
            assertTrue(q.path("flags").isArray());
        }
    }

    @Test
    void aOneShotAnswerComparesNoMembers() {
        for (JsonNode c : statistics(taskId, "one-shot").path("classes")) {
            assertEquals(1, c.path("quality").path("members").asInt());
            assertFalse(c.path("quality").has("memberAgreement"), c.toString());
        }
    }

    @Test
    void theLabelMapCarriesTheFlagsOfTheStatisticsInACompactHeader() {
        HttpResponse<byte[]> labelMap = client().post("/api/v1/segmentations", form(taskId, "ensemble"), null);
        assertEquals(200, labelMap.statusCode());
        List<String> expected = new ArrayList<>();
        for (JsonNode c : statistics(taskId, "ensemble").path("classes")) {
            List<String> flags = c.path("quality").path("flags").valueStream().map(JsonNode::asString).toList();
            expected.add(c.path("label").asInt() + "=" + (flags.isEmpty() ? "ok" : String.join("+", flags)));
        }
        assertEquals(String.join(", ", expected), labelMap.headers().firstValue("Iris-Quality").orElseThrow());
    }

    @Test
    void aGoodAnswerRaisesNoFlag() {
        for (JsonNode c : statistics(taskId, "ensemble").path("classes")) {
            assertEquals(0, c.path("quality").path("flags").size(), c.toString());
        }
    }

    @Test
    void everyClassOfAnAnswerFromReferencesOfOtherStructuresIsFlagged() throws Exception {
        Path totalseg = TestPaths.assumeSharedData().resolve("totalsegmentator");
        NiftiReader reader = new NiftiReader(NiftiLimits.defaults());
        NiftiImage organs = reader.readImage(totalseg.resolve("example_seg_mr.nii.gz"));
        int[] kidneys = new int[organs.data().length];
        for (int i = 0; i < kidneys.length; i++) {
            int label = Math.round(organs.data()[i]);
            kidneys[i] = label == 2 ? 1 : label == 3 ? 2 : 0;
        }
        ByteArrayOutputStream mask = new ByteArrayOutputStream();
        new NiftiWriter().writeLabelMap(mask, organs.header(), kidneys);
        String wrong = client().registerTask(Multipart.form().field("name", "kidneys").field("labels", Hippocampus.LABELS)
                .file("references", totalseg.resolve("example_mr_sm.nii.gz"))
                .file("masks", "kidneys.nii.gz", mask.toByteArray()));
        for (JsonNode c : statistics(wrong, "one-shot").path("classes")) {
            assertFalse(c.path("quality").path("flags").isEmpty(), c.toString());
        }
    }
}
