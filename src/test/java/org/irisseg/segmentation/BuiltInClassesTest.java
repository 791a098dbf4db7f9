package org.irisseg.segmentation;

import static org.irisseg.support.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import org.irisseg.nifti.NiftiImage;
import org.irisseg.nifti.NiftiLimits;
import org.irisseg.nifti.NiftiReader;
import org.irisseg.support.Hippocampus;
import org.irisseg.support.IrisIntegrationTest;
import org.irisseg.support.Multipart;
import org.irisseg.support.TestPaths;
import org.junit.jupiter.api.Test;

/** Built-in classes (the model's memory bank) segmented over HTTP with no reference at all. */
class BuiltInClassesTest extends IrisIntegrationTest {

    private static final NiftiReader READER = new NiftiReader(NiftiLimits.defaults());
    private static final String ANTERIOR = "hippocampus/whole/anterior";
    private static final String POSTERIOR = "hippocampus/whole/posterior";
    /** Floor of the mean Dice over the held-out queries; the model card's memory-bank row gives the model's own. */
    private static final double FLOOR = 0.80;

    private HttpResponse<byte[]> segment(String subject, String classes) {
        return client().post("/api/v1/segmentations", Multipart.form().file("image", Hippocampus.image(subject))
                .field("taskId", BuiltInTask.ID).field("classes", classes), null);
    }

    @Test
    void builtInHippocampusClassesSegmentHeldOutSubjectsWithoutAReference() throws Exception {
        TestPaths.assumeHippocampus();
        assumeModelReady();
        List<Double> dices = new ArrayList<>();
        for (String subject : Hippocampus.QUERIES.subList(0, 3)) {
            // labels follow the order the classes are named in: posterior is 1 here, anterior 2
            HttpResponse<byte[]> response = segment(subject, POSTERIOR + "," + ANTERIOR);
            assertEquals(200, response.statusCode(), new String(response.body()));
            assertEquals(BuiltInTask.ID, response.headers().firstValue("Iris-Task-Id").orElse(""));
            NiftiImage predicted = READER.readLabelMap(new ByteArrayInputStream(response.body()));
            NiftiImage truth = READER.readLabelMap(Hippocampus.label(subject));
            dices.add(HippocampusDiceTest.dice(swapLabels(predicted.data()), truth.data(), 1));
            dices.add(HippocampusDiceTest.dice(swapLabels(predicted.data()), truth.data(), 2));
        }
        double mean = dices.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        assertTrue(mean >= FLOOR, "mean Dice " + mean + " per subject and class " + dices);
    }

    @Test
    void anIdTheCatalogueLacksIsAnUnknownClass() throws Exception {
        TestPaths.assumeHippocampus();
        assumeModelReady();
        assertProblem(segment(Hippocampus.QUERIES.get(0), ANTERIOR + ",hippocampus/whole/tail"), 400, "unknown-class");
    }

    @Test
    void builtInWithoutClassesSaysWhereTheyAreListed() throws Exception {
        TestPaths.assumeHippocampus();
        assumeModelReady();
        String detail = assertProblem(client().post("/api/v1/segmentations", Multipart.form()
                .file("image", Hippocampus.image(Hippocampus.QUERIES.get(0))).field("taskId", BuiltInTask.ID), null),
                400, "invalid-parameter").path("detail").asString();
        assertTrue(detail.contains("/api/v1/catalogue"), detail);
    }

    private static float[] swapLabels(float[] labels) {
        float[] out = new float[labels.length];
        for (int i = 0; i < labels.length; i++) {
            out[i] = labels[i] == 1 ? 2 : labels[i] == 2 ? 1 : labels[i];
        }
        return out;
    }
}
