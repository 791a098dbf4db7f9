package org.irisseg.segmentation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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
import org.irisseg.model.InferenceMetrics;
import org.irisseg.model.InferenceSession;
import org.irisseg.model.InferenceTimings;
import org.irisseg.model.ModelRuntime;
import org.irisseg.model.ObjectBatcher;
import org.irisseg.model.Stage;
import org.irisseg.nifti.NiftiHeader;
import org.irisseg.preview.PreviewRenderer;
import org.irisseg.task.Task;
import org.irisseg.task.TaskClass;
import org.irisseg.task.TaskService;
import org.irisseg.volume.OrientedVolume;
import org.irisseg.volume.VolumeReader;
import org.irisseg.volume.VolumeUpload;
import org.irisseg.volume.VoxelSize;
import org.springframework.stereotype.Service;

/**
 * Segments a query volume with a registered task: reads and canonicalises the query, encodes it once,
 * chooses the task embedding by mode (reference embeddings were computed at registration), decodes on
 * the model grid, fuses the classes one at a time into one label map (each at the native size only where
 * it can exceed the threshold, so memory grows with the voxels, not with classes x voxels) and maps it
 * back to the query's own voxel grid.
 * The query's header is read first: its size is checked and its memory reserved from the
 * {@link MemoryBudget} before its voxels are decoded.
 */
@Service
public class SegmentationService {

    /** Volume-sized arrays held throughout a segmentation: the query as read and in canonical order. */
    static final int QUERY_COPIES = 2;
    /** While classes are fused: the winning class and its probability, and one class's region as returned. */
    static final int FUSION_COPIES = 3;
    /**
     * While the answer is checked: the label map, what the object batcher holds (its waiting masks and their
     * batch) and the object mask being cut; one ensemble member's region more where members are compared.
     */
    static final int QUALITY_COPIES = 1 + ObjectBatcher.HELD_VOLUMES + 1;
    /**
     * Volume-sized arrays of a segmentation at its peak, whatever the number of classes: the query's and the
     * larger of the fusion's and the quality checks' (later the label map in native order and as written
     * replace them).
     */
    static final int FIXED_COPIES = QUERY_COPIES + Math.max(FUSION_COPIES, QUALITY_COPIES);
    static final int MEMBER_REGION_COPIES = 1;
    /**
     * With focus, while the focused pass runs: the query's crop inside the focus box or a window (at most one
     * volume), later, with windows, one class summed over the windows' box (at most one volume).
     */
    static final int FOCUS_CROP_COPIES = 1;
    /** Per class, logits on the model grid: the answer's and one member's (or retrieval's coarse ones). */
    static final int GRID_COPIES_PER_CLASS = 2;
    static final int RETRIEVAL_GRID_COPIES_PER_CLASS = 3;
    /** {@code output=probabilities}: K whole maps, canonical and in native order. */
    static final int PROBABILITIES_COPIES_PER_CLASS = 2;
    /** {@code output=uncertainty}: the members' sums and sums of squares, the spread, its native-order copy. */
    static final int UNCERTAINTY_COPIES_PER_CLASS = 4;

    private final TaskService tasks;
    private final VolumeReader reader;
    private final ModelRuntime model;
    private final InferenceMetrics metrics;
    private final MemoryBudget budget;
    private final IrisProperties.Quality quality;

    public SegmentationService(TaskService tasks, VolumeReader reader, ModelRuntime model, InferenceMetrics metrics,
            MemoryBudget budget, IrisProperties properties) {
        this.tasks = tasks;
        this.reader = reader;
        this.model = model;
        this.metrics = metrics;
        this.budget = budget;
        this.quality = properties.quality();
    }

    /**
     * Segments the image with a task of the tenant, or with the built-in classes, which every tenant may use.
     */
    public SegmentationResult segment(String tenant, VolumeUpload image, SegmentationRequest request) {
        long start = System.nanoTime();
        Task task = task(tenant, request);
        List<TaskClass> classes = selectClasses(task, request.classes());
        if (request.mode() == SegmentationMode.ONE_SHOT) {
            EmbeddingSelection.requireReference(task, request.referenceIndex());
        }
        if (request.output() == SegmentationOutput.UNCERTAINTY && members(task, request) < 2) {
            throw new IrisException(ProblemType.INVALID_PARAMETER, "'output=uncertainty' compares ensemble members,"
                    + " and " + request.mode().wire() + " with this task has one: use mode ensemble or retrieval"
                    + " (k >= 2) with a task of at least 2 references");
        }
        NiftiHeader header = reader.readHeader(image, "image");
        VolumeReader.requireSegmentable(header, "image");
        int[] d = header.spatialDims();
        MemoryCost cost = cost(header.voxelCount(), classes.size(), request, model.manifest().gridValues(),
                quality.maxMembers());
        String what = "The image (" + d[0] + "x" + d[1] + "x" + d[2] + " voxels, " + classes.size() + " classes, "
                + request.mode().wire() + ")";
        InferenceTimings timings = new InferenceTimings();
        OrientedVolume query;
        TaskEmbedding chosen;
        int[] nativeLabels;
        RegionFusion.Fused fused;
        QualityCheck.Assessment assessment;
        double voxelMl;
        double focusSide;
        float[] classMaps = null;
        byte[] preview = null;
        Box focusBox = null;
        int focusWindows = 0;
        try (MemoryBudget.Reservation reserved = budget.reserve(cost, what)) {
            query = reader.readImage(image, "image");
            voxelMl = VoxelSize.millilitres(query.image().header());
            int[] labelValues = classes.stream().mapToInt(TaskClass::label).toArray();
            try (BoundedPool.Lease<InferenceSession> lease = model.lease(timings);
                    ImageFeatures features = lease.get().encodeImage(query.shape(), query.canonical().data(), timings)) {
                // with focus, the modes choose among the embeddings of the references' focus boxes; the quality
                // checks compare the answer with the whole-volume embeddings, computed as the query's objects are
                Task embeddingSource = request.focus() ? task.focused() : task;
                chosen = choose(embeddingSource, classes, request, lease.get(), features, timings);
                focusSide = request.focus() ? focusSideMm(task, chosen) : Double.NaN;
                float[] probabilities = request.output() == SegmentationOutput.PROBABILITIES
                        ? new float[Math.multiplyExact(classes.size(), query.voxelCount())] : null;
                ClassFusion.Outcome outcome = ClassFusion.fuse(lease.get(), query, features, chosen, labelValues,
                        request.threshold(), probabilities, focusSide, timings);
                fused = outcome.fused();
                focusBox = outcome.focusBox();
                focusWindows = outcome.windows();
                InferenceTimings checks = new InferenceTimings();
                assessment = QualityCheck.assess(task, classes, chosen, fused, voxelMl, request.threshold(), quality,
                        request.output() == SegmentationOutput.UNCERTAINTY, lease.get(), features, checks);
                timings.add(Stage.QUALITY, checks.modelNanos());
                if (probabilities != null) {
                    classMaps = toNative(query, probabilities, classes.size());
                }
            }
            if (request.output() == SegmentationOutput.UNCERTAINTY) {
                classMaps = toNative(query, assessment.spread(), classes.size());
            }
            if (request.output() == SegmentationOutput.PREVIEW) {
                preview = PreviewRenderer.png(query.shape(), query.canonical().data(), fused.labels(), labelValues,
                        VoxelSize.spacingMm(query));
            }
            nativeLabels = query.reorientation().toNative(fused.labels());
        }
        List<ClassVolume> volumes = new ArrayList<>();
        for (int k = 0; k < classes.size(); k++) {
            volumes.add(new ClassVolume(classes.get(k).label(), classes.get(k).name(), fused.counts()[k],
                    fused.counts()[k] * voxelMl, assessment.classes().get(k)));
        }
        long total = System.nanoTime() - start;
        metrics.record(timings);
        metrics.recordSegmentation(request.mode().wire(), total);
        return new SegmentationResult(task.id(), request.mode(), task.modelVersion(), query.image().header(),
                nativeLabels, query.image().dims(), voxelMl, volumes, chosen.referencesUsed(), timings, total,
                classMaps, preview, focusSummary(focusSide, focusBox, focusWindows, VoxelSize.spacingMm(query)));
    }

    private static FocusSummary focusSummary(double sideMm, Box box, int windows, double[] spacing) {
        if (Double.isNaN(sideMm)) {
            return null;
        }
        return new FocusSummary(sideMm, box == null ? null
                : new double[] {box.sizeX() * spacing[0], box.sizeY() * spacing[1], box.sizeZ() * spacing[2]},
                windows);
    }

    /** The task a request names; with every reference's focus embeddings where it asks for focus. */
    private Task task(String tenant, SegmentationRequest request) {
        if (BuiltInTask.isBuiltIn(request.taskId())) {
            if (request.focus()) {
                throw new IrisException(ProblemType.INVALID_PARAMETER, "'focus=true' needs a task with references:"
                        + " the built-in classes have no reference box");
            }
            return BuiltInTask.of(model.memoryBank(), request.classes(), model.modelVersion());
        }
        return request.focus() ? tasks.getFocused(tenant, request.taskId()) : tasks.get(tenant, request.taskId());
    }

    /** The focus box side of a segmentation: the largest of the references it uses, mm. */
    private static double focusSideMm(Task task, TaskEmbedding chosen) {
        return chosen.referencesUsed().values().stream().flatMap(List::stream).distinct()
                .mapToDouble(i -> task.references().get(i).focus().sideMm()).max()
                .orElseThrow(() -> new IllegalStateException("no reference used"));
    }

    /**
     * The memory a segmentation holds at its peak: {@link #FIXED_COPIES} volumes (one more where ensemble
     * members are decoded on their own; with focus, the fusion holds the query's crop as well, which the
     * larger quality checks cover unless members are decoded), the output's copies per class, the logits on the
     * model grid per class (with focus, those of up to {@link FocusPolicy#MAX_WINDOWS} windows at once), and for a volume under {@link ObjectBatcher#SMALL_VALUES} voxels what the object batcher's
     * arrays may hold beyond its size.
     *
     * @param maxMembers {@code iris.quality.max-members}
     */
    static MemoryCost cost(long voxels, int classes, SegmentationRequest request, long gridValues, int maxMembers) {
        boolean membersDecoded = request.output() == SegmentationOutput.UNCERTAINTY
                || maxMembers > 0 && request.mode() != SegmentationMode.ONE_SHOT;
        int fusion = FUSION_COPIES + (request.focus() ? FOCUS_CROP_COPIES : 0);
        int fixed = QUERY_COPIES + Math.max(fusion, QUALITY_COPIES + (membersDecoded ? MEMBER_REGION_COPIES : 0));
        long beyondVolume = ObjectBatcher.valuesBeyond(voxels);
        int gridCopies = request.mode() == SegmentationMode.RETRIEVAL ? RETRIEVAL_GRID_COPIES_PER_CLASS
                : GRID_COPIES_PER_CLASS;
        if (request.focus()) {
            gridCopies = Math.max(gridCopies, FocusPolicy.MAX_WINDOWS);  // each window's logits, held at once
        }
        return new MemoryCost(voxels, classes, fixed, outputCopiesPerClass(request.output()),
                gridCopies * gridValues, beyondVolume);
    }

    /** Ensemble members the request's mode combines per class. */
    private static int members(Task task, SegmentationRequest request) {
        return switch (request.mode()) {
            case ONE_SHOT -> 1;
            case ENSEMBLE -> task.references().size();
            case RETRIEVAL -> Math.min(request.k(), task.references().size());
        };
    }

    private static int outputCopiesPerClass(SegmentationOutput output) {
        return switch (output) {
            case PROBABILITIES -> PROBABILITIES_COPIES_PER_CLASS;
            case UNCERTAINTY -> UNCERTAINTY_COPIES_PER_CLASS;
            default -> 0;
        };
    }

    /** K canonical volumes, class after class, each in the query's native order. */
    private static float[] toNative(OrientedVolume query, float[] canonical, int classes) {
        int voxels = canonical.length / classes;
        float[] out = new float[canonical.length];
        for (int k = 0; k < classes; k++) {
            float[] one = query.reorientation().toNative(Arrays.copyOfRange(canonical, k * voxels, (k + 1) * voxels));
            System.arraycopy(one, 0, out, k * voxels, voxels);
        }
        return out;
    }

    private static TaskEmbedding choose(Task task, List<TaskClass> classes, SegmentationRequest request,
            InferenceSession session, ImageFeatures features, InferenceTimings timings) {
        return switch (request.mode()) {
            case ONE_SHOT -> EmbeddingSelection.oneShot(task, classes, request.referenceIndex());
            case ENSEMBLE -> EmbeddingSelection.ensemble(task, classes);
            case RETRIEVAL -> Retrieval.choose(task, classes, request.k(), request.threshold(), session, features,
                    timings);
        };
    }

    private static List<TaskClass> selectClasses(Task task, List<String> selectors) {
        if (selectors.isEmpty()) {
            return task.classes();
        }
        List<TaskClass> chosen = new ArrayList<>();
        for (String selector : selectors) {
            if (selector.isBlank()) {
                continue;
            }
            TaskClass c = task.findClass(selector.strip()).orElseThrow(() -> new IrisException(
                    ProblemType.UNKNOWN_CLASS, "The task has no class '" + Messages.printable(selector) + "'; its classes are "
                            + task.classes().stream().map(tc -> tc.label() + " (" + tc.name() + ")").toList()));
            if (!chosen.contains(c)) {
                chosen.add(c);
            }
        }
        if (chosen.isEmpty()) {
            return task.classes();
        }
        return task.classes().stream().filter(chosen::contains).toList();
    }
}
