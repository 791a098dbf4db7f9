package org.irisseg.segmentation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

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

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

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
    private final MeterRegistry registry;

    public SegmentationService(TaskService tasks, VolumeReader reader, ModelRuntime model, InferenceMetrics metrics,
            MeterRegistry registry) {
        this.tasks = tasks;
        this.reader = reader;
        this.model = model;
        this.metrics = metrics;
        this.registry = registry;
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
        Map<Integer, List<Integer>> used = new LinkedHashMap<>();
        float[] probabilities;
        try (BoundedPool.Lease<InferenceSession> lease = model.lease(timings);
                ImageFeatures features = lease.get().encodeImage(query.shape(), query.canonical().data(), timings)) {
            InferenceSession session = lease.get();
            float[][] embeddings = switch (request.mode()) {
                case ONE_SHOT -> {
                    classes.forEach(c -> used.put(c.label(), List.of(request.referenceIndex())));
                    yield EmbeddingSelection.oneShot(task, classes, request.referenceIndex());
                }
                case ENSEMBLE -> {
                    List<Integer> all = IntStream.range(0, task.references().size()).boxed().toList();
                    classes.forEach(c -> used.put(c.label(), all));
                    yield EmbeddingSelection.ensemble(task, classes);
                }
                case RETRIEVAL -> retrieve(task, classes, session, features, request, used, timings);
            };
            probabilities = session.decode(features, embeddings, timings);
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
        Timer.builder("iris.segmentation")
                .description("Segmentation requests from parameters to label map, per mode")
                .tag("mode", request.mode().wire())
                .publishPercentileHistogram()
                .register(registry)
                .record(Duration.ofNanos(total));
        return new SegmentationResult(task.id(), request.mode(), task.modelVersion(), query.image().header(),
                nativeLabels, query.image().dims(), voxelMl, volumes, used, timings, total);
    }

    /**
     * Object-level retrieval: coarse decode with the ensemble embedding, encode the query's predicted
     * object per class with the query's own features, keep the k most similar reference embeddings per
     * class (cosine) and average them. A class with an empty coarse prediction keeps the ensemble.
     */
    private static float[][] retrieve(Task task, List<TaskClass> classes, InferenceSession session,
            ImageFeatures features, SegmentationRequest request, Map<Integer, List<Integer>> used,
            InferenceTimings timings) {
        float[][] ensemble = EmbeddingSelection.ensemble(task, classes);
        float[] coarse = session.decode(features, ensemble, timings);
        int voxels = (int) features.voxels();
        List<Integer> present = new ArrayList<>();
        List<float[]> objectMasks = new ArrayList<>();
        for (int k = 0; k < classes.size(); k++) {
            float[] mask = LabelFusion.classMask(coarse, k, voxels, request.threshold());
            for (float v : mask) {
                if (v != 0f) {
                    present.add(k);
                    objectMasks.add(mask);
                    break;
                }
            }
        }
        float[][] out = ensemble.clone();
        List<Integer> all = IntStream.range(0, task.references().size()).boxed().toList();
        classes.forEach(c -> used.put(c.label(), all));
        if (present.isEmpty()) {
            return out;
        }
        float[] masks = new float[present.size() * voxels];
        for (int i = 0; i < present.size(); i++) {
            System.arraycopy(objectMasks.get(i), 0, masks, i * voxels, voxels);
        }
        float[][] objects = session.encodeTask(features, present.size(), masks, timings);
        for (int i = 0; i < present.size(); i++) {
            TaskClass c = classes.get(present.get(i));
            List<float[]> pool = task.embeddings(c.label());
            List<Integer> chosen = EmbeddingSelection.topK(objects[i], pool, request.k());
            out[present.get(i)] = EmbeddingSelection.meanOf(pool, chosen);
            used.put(c.label(), chosen);
        }
        return out;
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
