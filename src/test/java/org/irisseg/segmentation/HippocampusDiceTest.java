package org.irisseg.segmentation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

import org.irisseg.nifti.NiftiImage;
import org.irisseg.nifti.NiftiLimits;
import org.irisseg.nifti.NiftiReader;
import org.irisseg.support.Hippocampus;
import org.irisseg.support.IrisIntegrationTest;
import org.irisseg.support.Multipart;
import org.irisseg.support.TestPaths;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The trained model through the whole service: 3 hippocampus references registered over HTTP, 5 other
 * subjects (all held out of training) segmented in the default ensemble mode, mean Dice over subjects and
 * both classes above the floor the model card states ({@code evaluation.hippocampus.service_test_dice_floor}).
 * Skipped for a random-init export, which has no evaluation.
 */
@Tag("slow")
class HippocampusDiceTest extends IrisIntegrationTest {

    @Test
    void meanDiceOnHeldOutSubjectsIsAboveTheModelCardFloor() throws Exception {
        TestPaths.assumeHippocampus();
        assumeModelReady();
        Assumptions.assumeTrue(model.manifest().evaluation().isPresent(),
                "model.json has no evaluation (random-init export)");
        OptionalDouble floor = model.manifest().hippocampusDiceFloor();
        assertTrue(floor.isPresent(), "a trained model's model.json must give"
                + " evaluation.hippocampus.service_test_dice_floor (export contract)");

        String task = client().registerTask(Hippocampus.taskForm("hippocampus", Hippocampus.REFERENCES));
        NiftiReader reader = new NiftiReader(NiftiLimits.defaults());
        List<Double> dices = new ArrayList<>();
        for (String subject : Hippocampus.QUERIES) {
            HttpResponse<byte[]> response = client().post("/api/v1/segmentations", Multipart.form()
                    .file("image", Hippocampus.image(subject)).field("taskId", task), null);
            assertEquals(200, response.statusCode(), new String(response.body()));
            NiftiImage predicted = reader.readLabelMap(new ByteArrayInputStream(response.body()));
            NiftiImage truth = reader.readLabelMap(Hippocampus.label(subject));
            assertArrayEquals(truth.dims(), predicted.dims());
            for (int label = 1; label <= 2; label++) {
                dices.add(dice(predicted.data(), truth.data(), label));
            }
        }
        double mean = dices.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        System.out.printf("hippocampus over HTTP (ensemble of %d references, %d subjects): mean Dice %.4f,"
                + " floor %.2f%n", Hippocampus.REFERENCES.size(), Hippocampus.QUERIES.size(), mean, floor.getAsDouble());
        assertTrue(mean > floor.getAsDouble(), "mean Dice " + mean + " per subject and class " + dices
                + " is not above the model card's floor " + floor.getAsDouble());
    }

    /** Dice of one label; 1 when both are empty. */
    static double dice(float[] predicted, float[] truth, int label) {
        long both = 0;
        long p = 0;
        long t = 0;
        for (int i = 0; i < truth.length; i++) {
            boolean inP = predicted[i] == label;
            boolean inT = truth[i] == label;
            p += inP ? 1 : 0;
            t += inT ? 1 : 0;
            both += inP && inT ? 1 : 0;
        }
        return p + t == 0 ? 1.0 : 2.0 * both / (p + t);
    }
}
