package org.irisseg.segmentation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.irisseg.model.Box;
import org.irisseg.model.ClassRegion;
import org.irisseg.model.GridLogits;
import org.irisseg.model.ImageFeatures;
import org.irisseg.model.InferenceSession;
import org.irisseg.model.InferenceTimings;
import org.irisseg.model.ModelChecksums;
import org.irisseg.model.ModelManifest;
import org.irisseg.model.ObjectBatcher;
import org.irisseg.model.TorchScriptModules;
import org.irisseg.nifti.CanonicalVolume;
import org.irisseg.nifti.NiftiImage;
import org.irisseg.nifti.NiftiLimits;
import org.irisseg.nifti.NiftiReader;
import org.irisseg.nifti.Reorientation;
import org.irisseg.support.TestPaths;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import ai.djl.Device;
import tools.jackson.databind.json.JsonMapper;

/**
 * The region path (logits on the model grid, each class upsampled where it can exceed the threshold, fused
 * class after class; objects encoded from their boxes) against the whole-volume path it replaces (K native
 * probability maps from {@code mask_decoder.pt} fused at once; whole-size masks through {@code task_encoder.pt})
 * on real cases: the TotalSegmentator example CT with its 41 classes (axes longer and shorter than the model
 * grid) and a hippocampus subject.
 */
class RegionFusionEquivalenceTest {

    private static final double THRESHOLD = 0.5;
    private static TorchScriptModules modules;
    private static InferenceSession session;

    @BeforeAll
    static void load() {
        Path dir = TestPaths.assumeModel();
        ModelManifest manifest = ModelManifest.read(dir, JsonMapper.builder().build());
        ModelChecksums.verify(dir, manifest);
        modules = TorchScriptModules.load(dir, manifest, Device.cpu());
        session = modules.newSession();
    }

    @AfterAll
    static void close() {
        if (session != null) {
            session.close();
        }
        if (modules != null) {
            modules.close();
        }
    }

    @Test
    void theFusedLabelMapOfTheExampleCtsFortyOneClassesEqualsTheWholeVolumeFusion() {
        Path data = TestPaths.assumeSharedData().resolve("totalsegmentator");
        TestPaths.assumeData(Files.isRegularFile(data.resolve("example_ct_sm.nii.gz")), "totalsegmentator example");
        assertSamePaths(data.resolve("example_ct_sm.nii.gz"), data.resolve("example_seg.nii.gz"),
                data.resolve("example_ct_sm.nii.gz"));
    }

    @Test
    void theFusedLabelMapOfAHippocampusQueryEqualsTheWholeVolumeFusion() {
        TestPaths.assumeHippocampus();
        assertSamePaths(TestPaths.hippocampusImage("hippocampus_001"), TestPaths.hippocampusLabel("hippocampus_001"),
                TestPaths.hippocampusImage("hippocampus_003"));
    }

    private static void assertSamePaths(Path referenceImage, Path referenceLabels, Path queryImage) {
        NiftiReader reader = new NiftiReader(NiftiLimits.defaults());
        CanonicalVolume reference = canonical(reader.readImage(referenceImage));
        CanonicalVolume labels = canonical(reader.readLabelMap(referenceLabels));
        CanonicalVolume query = canonical(reader.readImage(queryImage));
        java.util.TreeSet<Integer> present = new java.util.TreeSet<>();
        for (float v : labels.data()) {
            if (v != 0) {
                present.add((int) v);
            }
        }
        int[] labelValues = present.stream().mapToInt(Integer::intValue).toArray();
        InferenceTimings timings = new InferenceTimings();
        float[][] embeddings;
        float[][] fromBoxes;
        try (ImageFeatures features = session.encodeImage(reference.shape(), reference.data(), timings)) {
            embeddings = session.encodeTask(features, labelValues.length, masks(labels.data(), labelValues), timings);
            fromBoxes = objectsFromBoxes(features, labels, labelValues, timings);
        }
        for (int k = 0; k < labelValues.length; k++) {
            for (int e = 0; e < embeddings[k].length; e++) {
                assertEquals(embeddings[k][e], fromBoxes[k][e], 1e-4, "class " + labelValues[k] + " value " + e);
            }
        }
        try (ImageFeatures features = session.encodeImage(query.shape(), query.data(), timings)) {
            LabelFusion.Fused whole = LabelFusion.fuse(session.decode(features, embeddings, timings), labelValues,
                    THRESHOLD);
            GridLogits logits = session.decodeGrid(features, embeddings, timings);
            RegionFusion fusion = new RegionFusion(query.shape(), labelValues.length);
            long regionVoxels = 0;
            for (int k = 0; k < labelValues.length; k++) {
                ClassRegion region = session.upsample(features, logits, k, THRESHOLD, timings);
                regionVoxels += region.box().voxels();
                fusion.add(k, region, THRESHOLD);
            }
            RegionFusion.Fused regions = fusion.finish(labelValues);
            long differing = 0;
            for (int i = 0; i < whole.labels().length; i++) {
                differing += whole.labels()[i] != regions.labels()[i] ? 1 : 0;
            }
            assertEquals(0, differing, "voxels labelled differently of " + whole.labels().length);
            assertArrayEquals(whole.counts(), regions.counts());
            assertTrue(regionVoxels < (long) labelValues.length * whole.labels().length || labelValues.length == 1,
                    "regions cover less than K whole volumes: " + regionVoxels);
        }
    }

    private static float[][] objectsFromBoxes(ImageFeatures features, CanonicalVolume labels, int[] labelValues,
            InferenceTimings timings) {
        int[] shape = labels.shape();
        int[] asInts = new int[labels.data().length];
        for (int i = 0; i < asInts.length; i++) {
            asInts[i] = (int) labels.data()[i];
        }
        RegionFusion fusion = new RegionFusion(shape, labelValues.length);
        for (int k = 0; k < labelValues.length; k++) {
            float[] p = new float[asInts.length];
            for (int i = 0; i < p.length; i++) {
                p[i] = asInts[i] == labelValues[k] ? 1f : 0f;
            }
            fusion.add(k, new ClassRegion(Box.whole(shape), p), 0.5);
        }
        RegionFusion.Fused fused = fusion.finish(labelValues);
        ObjectBatcher batcher = new ObjectBatcher(session, features, labelValues.length, timings);
        for (int k = 0; k < labelValues.length; k++) {
            batcher.add(k, fused.boxes()[k], QualityCheck.crop(fused.labels(), shape, fused.boxes()[k], labelValues[k]));
        }
        return batcher.embeddings();
    }

    private static float[] masks(float[] labels, int[] values) {
        float[] masks = new float[values.length * labels.length];
        for (int k = 0; k < values.length; k++) {
            for (int i = 0; i < labels.length; i++) {
                masks[k * labels.length + i] = labels[i] == values[k] ? 1f : 0f;
            }
        }
        return masks;
    }

    private static CanonicalVolume canonical(NiftiImage image) {
        return Reorientation.toClosestCanonical(image.affine(), image.dims()).toCanonical(image);
    }
}
