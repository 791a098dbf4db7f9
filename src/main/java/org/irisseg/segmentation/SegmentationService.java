package org.irisseg.segmentation;

import java.util.ArrayList;
import java.util.List;

import org.irisseg.error.IrisException;
import org.irisseg.error.ProblemType;
import org.irisseg.model.BoundedPool;
import org.irisseg.model.ImageFeatures;
import org.irisseg.model.InferenceMetrics;
import org.irisseg.model.InferenceSession;
import org.irisseg.model.InferenceTimings;
import org.irisseg.model.ModelRuntime;
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
 * chooses the task embedding by mode (reference embeddings were computed at registration), decodes,
 * fuses the class probabilities into one label map and maps it back to the query's own voxel grid.
 */
@Service
public class SegmentationService {

    private final TaskService tasks;
    private final VolumeReader reader;
    private final ModelRuntime model;
    private final InferenceMetrics metrics;

    public SegmentationService(TaskService tasks, VolumeReader reader, ModelRuntime model, InferenceMetrics metrics) {
        this.tasks = tasks;
        this.reader = reader;
        this.model = model;
        this.metrics = metrics;
    }

    public SegmentationResult segment(VolumeUpload image, SegmentationRequest request) {
        long start = System.nanoTime();
        Task task = tasks.get(request.taskId());
        List<TaskClass> classes = selectClasses(task, request.classes());
        if (request.mode() == SegmentationMode.ONE_SHOT) {
            EmbeddingSelection.requireReference(task, request.referenceIndex());
        }
        OrientedVolume query = reader.readImage(image, "image");
        InferenceTimings timings = new InferenceTimings();
        TaskEmbedding chosen;
        float[] probabilities;
        try (BoundedPool.Lease<InferenceSession> lease = model.lease(timings);
                ImageFeatures features = lease.get().encodeImage(query.shape(), query.canonical().data(), timings)) {
            chosen = choose(task, classes, request, lease.get(), features, timings);
            probabilities = lease.get().decode(features, chosen.embeddings(), timings);
        }
        int[] labelValues = classes.stream().mapToInt(TaskClass::label).toArray();
        LabelFusion.Fused fused = LabelFusion.fuse(probabilities, labelValues, request.threshold());
        int[] nativeLabels = query.reorientation().toNative(fused.labels());
        double voxelMl = VoxelSize.millilitres(query.image().header());
        List<ClassVolume> volumes = new ArrayList<>();
        for (int k = 0; k < classes.size(); k++) {
            volumes.add(new ClassVolume(classes.get(k).label(), classes.get(k).name(), fused.counts()[k],
                    fused.counts()[k] * voxelMl));
        }
        long total = System.nanoTime() - start;
        metrics.record(timings);
        metrics.recordSegmentation(request.mode().wire(), total);
        return new SegmentationResult(task.id(), request.mode(), task.modelVersion(), query.image().header(),
                nativeLabels, query.image().dims(), voxelMl, volumes, chosen.referencesUsed(), timings, total);
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
                    ProblemType.UNKNOWN_CLASS, "The task has no class '" + printable(selector) + "'; its classes are "
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

    private static String printable(String s) {
        String p = s.replaceAll("\\p{Cntrl}", "?");
        return p.length() > 64 ? p.substring(0, 64) + "..." : p;
    }
}
