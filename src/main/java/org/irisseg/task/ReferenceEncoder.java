package org.irisseg.task;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.irisseg.error.IrisException;
import org.irisseg.error.Messages;
import org.irisseg.error.ProblemType;
import org.irisseg.model.BoundedPool;
import org.irisseg.model.ImageFeatures;
import org.irisseg.model.InferenceSession;
import org.irisseg.model.InferenceTimings;
import org.irisseg.model.ModelRuntime;
import org.irisseg.volume.OrientedVolume;
import org.irisseg.volume.VolumeReader;
import org.springframework.stereotype.Component;

/**
 * Reads reference pairs, checks them (grids match, every mask holds exactly the task's classes) and
 * computes one embedding per class with the image encoder and task encoder. Runs once per reference: at
 * registration, when references are added, and when a task is re-encoded for a new model.
 */
@Component
public class ReferenceEncoder {

    private final VolumeReader reader;
    private final ModelRuntime model;

    public ReferenceEncoder(VolumeReader reader, ModelRuntime model) {
        this.reader = reader;
        this.model = model;
    }

    /**
     * Encodes pairs in order into references numbered from {@code first}.
     *
     * @param role     "reference" or "kept reference": pair i is named "role i" (1-based) in messages
     * @param expected the task's labels, or null for a new task, whose first pair defines them
     */
    List<TaskReference> encodeAll(List<HashedPair> pairs, String role, List<Integer> expected, int first,
            String modelVersion, InferenceTimings timings) {
        List<TaskReference> references = new ArrayList<>(pairs.size());
        List<Integer> labels = expected;
        for (int i = 0; i < pairs.size(); i++) {
            HashedPair hashed = pairs.get(i);
            Encoded encoded = encode(hashed.pair(), role + " " + (i + 1), labels, timings);
            labels = encoded.labels();
            references.add(new TaskReference(first + i, hashed.pair().image().displayName(), hashed.imageSha256(),
                    hashed.maskSha256(), encoded.shape(), modelVersion, encoded.embeddings()));
        }
        return references;
    }

    private Encoded encode(ReferenceUpload pair, String role, List<Integer> expected, InferenceTimings timings) {
        OrientedVolume image = reader.readImage(pair.image(), role + " image");
        OrientedVolume mask = reader.readLabelMapOnGrid(pair.mask(), role + " mask", image);
        float[] labels = mask.canonical().data();
        List<Integer> present = LabelSet.of(labels, role + " mask");
        if (present.isEmpty()) {
            throw new IrisException(ProblemType.EMPTY_MASK, Messages.capitalised(role)
                    + " mask has no labelled voxel; every non-zero value of a mask is a class");
        }
        List<Integer> classes = expected == null ? present : expected;
        if (expected != null) {
            for (int label : present) {
                if (!expected.contains(label)) {
                    throw new IrisException(ProblemType.UNKNOWN_CLASS, Messages.capitalised(role) + " mask has label "
                            + label + ", which is not a class of this task (classes " + expected + ")");
                }
            }
            for (int label : expected) {
                if (!present.contains(label)) {
                    throw new IrisException(ProblemType.EMPTY_MASK, Messages.capitalised(role) + " mask has no voxel of"
                            + " class " + label + "; every reference must show every class of the task");
                }
            }
        }
        float[] masks = LabelSet.binaryMasks(labels, classes);
        float[][] embeddings;
        try (BoundedPool.Lease<InferenceSession> lease = model.lease(timings);
                ImageFeatures features = lease.get().encodeImage(image.shape(), image.canonical().data(), timings)) {
            embeddings = lease.get().encodeTask(features, classes.size(), masks, timings);
        }
        Map<Integer, float[]> byLabel = new LinkedHashMap<>();
        for (int k = 0; k < classes.size(); k++) {
            byLabel.put(classes.get(k), embeddings[k]);
        }
        return new Encoded(new ArrayList<>(classes), byLabel, image.shape());
    }

    /**
     * @param labels     the reference's classes, sorted
     * @param embeddings label -> embedding of length E
     * @param shape      canonical [X, Y, Z]
     */
    private record Encoded(List<Integer> labels, Map<Integer, float[]> embeddings, int[] shape) {
    }
}
