package org.irisseg.task;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.irisseg.admission.MemoryBudget;
import org.irisseg.admission.MemoryCost;
import org.irisseg.config.IrisProperties;
import org.irisseg.error.IrisException;
import org.irisseg.error.Messages;
import org.irisseg.error.ProblemType;
import org.irisseg.model.BoundedPool;
import org.irisseg.model.Box;
import org.irisseg.model.FocusPolicy;
import org.irisseg.model.ImageFeatures;
import org.irisseg.model.InferenceSession;
import org.irisseg.model.InferenceTimings;
import org.irisseg.model.ModelRuntime;
import org.irisseg.model.ObjectBatcher;
import org.irisseg.nifti.NiftiHeader;
import org.irisseg.nifti.NiftiImage;
import org.irisseg.volume.Grids;
import org.irisseg.volume.OrientedVolume;
import org.irisseg.volume.VolumeReader;
import org.irisseg.volume.VoxelSize;
import org.springframework.stereotype.Component;

/**
 * Reads reference pairs, checks them (grids match, every mask holds exactly the task's classes) and
 * computes one embedding per class with the image encoder and the object encoder, each class from the box
 * around its voxels (the embeddings {@code task_encoder.pt} gives for whole-size masks, without K of them),
 * twice: with the image encoded whole, and with it encoded inside the reference's focus box
 * ({@link FocusPolicy}; once only where that box is the whole volume), for focused segmentations.
 * Runs once per reference: at registration, when references are added, and when a task is re-encoded for a
 * new model.
 *
 * <p>Admission before work: every pair is checked from its headers and a streamed scan of its mask
 * (sizes, grids, classes, the memory it will need) before any volume is decoded, so a bad pair 5 costs no
 * encoding of pairs 1-4; then each pair reserves its memory from the {@link MemoryBudget}, is decoded,
 * encoded and gives the memory back.
 */
@Component
public class ReferenceEncoder {

    /**
     * Volume-sized arrays of one reference at its peak, whatever the number of classes: the image as read
     * and in canonical order, the mask as read and in canonical order (4), what the {@link ObjectBatcher}
     * holds (the masks waiting in its batch and the batch's copy, {@value ObjectBatcher#HELD_VOLUMES}) and
     * the box mask of the class being added while a batch waits (1). Each class's box and voxel count are
     * found in one pass over the mask, so no array grows with the classes ({@link #COPIES_PER_CLASS} 0).
     */
    static final int FIXED_COPIES = 4 + ObjectBatcher.HELD_VOLUMES + 1;
    static final int COPIES_PER_CLASS = 0;

    private final VolumeReader reader;
    private final ModelRuntime model;
    private final MemoryBudget budget;
    private final int maxClasses;

    public ReferenceEncoder(VolumeReader reader, ModelRuntime model, MemoryBudget budget, IrisProperties properties) {
        this.reader = reader;
        this.model = model;
        this.budget = budget;
        this.maxClasses = properties.admission().maxClasses();
    }

    /**
     * Encodes pairs in order into references numbered from {@code first}.
     *
     * @param role     "reference" or "kept reference": pair i is named "role i" (1-based) in messages
     * @param expected the task's labels, or null for a new task, whose first pair defines them
     * @param keeper   is handed each pair's decoded image and mask once encoded, and names the files the
     *                 reference records
     */
    List<TaskReference> encodeAll(List<HashedPair> pairs, String role, List<Integer> expected, int first,
            String modelVersion, InferenceTimings timings, VolumeKeeper keeper) {
        List<Admitted> admitted = new ArrayList<>(pairs.size());
        List<Integer> labels = expected;
        for (int i = 0; i < pairs.size(); i++) {
            Admitted pair = admit(pairs.get(i), role + " " + (i + 1), labels);
            labels = pair.classes();
            admitted.add(pair);
        }
        List<TaskReference> references = new ArrayList<>(pairs.size());
        for (int i = 0; i < admitted.size(); i++) {
            Admitted pair = admitted.get(i);
            Encoded encoded = encode(pair, timings, keeper);
            references.add(new TaskReference(first + i, encoded.imageKey(), encoded.maskKey(), encoded.shape(),
                    modelVersion, encoded.embeddings(), encoded.volumesMl(), encoded.focus()));
        }
        return references;
    }

    /** Everything that can be checked without decoding: sizes, grids, classes, memory. */
    private Admitted admit(HashedPair hashed, String role, List<Integer> expected) {
        NiftiHeader image = reader.readHeader(hashed.pair().image(), role + " image");
        NiftiHeader mask = reader.readHeader(hashed.pair().mask(), role + " mask");
        Grids.requireSameGrid(image, mask, role + " mask");
        VolumeReader.requireSegmentable(image, role + " image");
        List<Integer> present = reader.scanLabels(hashed.pair().mask(), role + " mask").labels();
        List<Integer> classes = LabelSet.classes(present, expected, maxClasses, role + " mask");
        int[] d = image.spatialDims();
        String what = Messages.capitalised(role) + " (" + d[0] + "x" + d[1] + "x" + d[2] + " voxels, " + classes.size()
                + " classes)";
        MemoryCost cost = cost(image.voxelCount(), classes.size());
        budget.requireFits(cost, what);
        return new Admitted(hashed, role, classes, cost, what);
    }

    /**
     * The memory encoding a reference holds at its peak: {@link #FIXED_COPIES} volumes, and for a volume
     * under {@link ObjectBatcher#SMALL_VALUES} voxels what the batcher's arrays may hold beyond its size.
     */
    static MemoryCost cost(long voxels, int classes) {
        long beyondVolume = ObjectBatcher.valuesBeyond(voxels);
        return new MemoryCost(voxels, classes, FIXED_COPIES, COPIES_PER_CLASS, 0, beyondVolume);
    }

    /** What becomes of a reference's decoded volumes once encoded. */
    @FunctionalInterface
    interface VolumeKeeper {
        /**
         * @param decoded      an image or mask as decoded (header and native-order voxels)
         * @param uploadSha256 SHA-256 of the file it was decoded from
         * @return the key the reference records for it
         */
        String keep(NiftiImage decoded, String uploadSha256);
    }

    private Encoded encode(Admitted pair, InferenceTimings timings, VolumeKeeper keeper) {
        try (MemoryBudget.Reservation reserved = budget.reserve(pair.cost(), pair.what())) {
            OrientedVolume image = reader.readImage(pair.hashed().pair().image(), pair.role() + " image");
            OrientedVolume mask = reader.readLabelMapOnGrid(pair.hashed().pair().mask(), pair.role() + " mask", image);
            List<Integer> classes = pair.classes();
            ClassBoxes boxes = ClassBoxes.of(mask.canonical(), classes);
            for (int k = 0; k < classes.size(); k++) {
                if (boxes.count(k) == 0) {
                    throw new IrisException(ProblemType.EMPTY_MASK, Messages.capitalised(pair.role())
                            + " mask has no voxel of class " + classes.get(k)
                            + "; every reference must show every class of the task");
                }
            }
            Box whole = Box.whole(image.shape());
            double[] spacing = VoxelSize.spacingMm(image);
            Box focusBox = FocusPolicy.referenceBox(boxes.union(), spacing, image.shape());
            float[][] embeddings;
            float[][] focused;
            try (BoundedPool.Lease<InferenceSession> lease = model.lease(timings)) {
                embeddings = encodeClasses(lease.get(), image, whole, boxes, timings);
                focused = focusBox.equals(whole) ? embeddings
                        : encodeClasses(lease.get(), image, focusBox, boxes, timings);
            }
            Map<Integer, float[]> byLabel = new LinkedHashMap<>();
            Map<Integer, float[]> focusByLabel = new LinkedHashMap<>();
            Map<Integer, Double> volumes = new LinkedHashMap<>();
            double voxelMl = VoxelSize.millilitres(image.image().header());
            for (int k = 0; k < classes.size(); k++) {
                byLabel.put(classes.get(k), embeddings[k]);
                focusByLabel.put(classes.get(k), focused[k]);
                volumes.put(classes.get(k), boxes.count(k) * voxelMl);
            }
            ReferenceFocus focus = new ReferenceFocus(FocusPolicy.sideMm(boxes.union(), spacing), focusByLabel);
            String imageKey = keeper.keep(image.image(), pair.hashed().imageSha256());
            String maskKey = keeper.keep(mask.image(), pair.hashed().maskSha256());
            return new Encoded(byLabel, volumes, focus, image.shape(), imageKey, maskKey);
        }
    }

    /**
     * One embedding per class, each class encoded from the box around its voxels, with the image encoded
     * inside {@code box} (the whole volume, or the focus box, which holds every class). The crop of a focus
     * box (at most one volume) is handed to the encoder and released before the classes are batched.
     */
    private static float[][] encodeClasses(InferenceSession session, OrientedVolume image, Box box, ClassBoxes boxes,
            InferenceTimings timings) {
        int[] shape = image.shape();
        float[] all = image.canonical().data();
        float[] voxels = box.equals(Box.whole(shape)) ? all : box.cut(shape, all);
        try (ImageFeatures features = session.encodeImage(box.shape(), voxels, timings)) {
            ObjectBatcher objects = new ObjectBatcher(session, features, boxes.classes(), timings);
            for (int k = 0; k < boxes.classes(); k++) {
                objects.add(k, boxes.box(k).relativeTo(box), boxes.mask(k));
            }
            return objects.embeddings();
        }
    }

    /**
     * A pair that passed every check that needs no decoding.
     *
     * @param classes the labels its mask holds, sorted (the task's)
     * @param cost    the memory it needs while decoded and encoded
     * @param what    names it in refusals, with its size and classes
     */
    private record Admitted(HashedPair hashed, String role, List<Integer> classes, MemoryCost cost, String what) {
    }

    /**
     * @param embeddings label -> embedding of length E
     * @param volumesMl  label -> volume of the class in the mask, mL
     * @param focus      the classes encoded inside the focus box
     * @param shape      canonical [X, Y, Z]
     * @param imageKey   what the keeper recorded for the image
     * @param maskKey    what the keeper recorded for the mask
     */
    private record Encoded(Map<Integer, float[]> embeddings, Map<Integer, Double> volumesMl, ReferenceFocus focus,
            int[] shape,
            String imageKey, String maskKey) {
    }
}
