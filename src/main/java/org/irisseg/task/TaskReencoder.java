package org.irisseg.task;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.irisseg.error.IrisException;
import org.irisseg.error.ProblemType;
import org.irisseg.model.InferenceMetrics;
import org.irisseg.model.InferenceTimings;
import org.irisseg.volume.VolumeUpload;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Brings a task encoded by another model version to the loaded one: every reference is encoded again from
 * its kept files, so embeddings of two models are never mixed. A task whose files were not kept, or whose
 * kept files expired ({@code iris.store.reference-retention}), is refused.
 */
@Component
class TaskReencoder {

    private static final Logger log = LoggerFactory.getLogger(TaskReencoder.class);

    private final TaskStore store;
    private final TaskCache cache;
    private final ReferenceEncoder encoder;
    private final InferenceMetrics metrics;

    TaskReencoder(TaskStore store, TaskCache cache, ReferenceEncoder encoder, InferenceMetrics metrics) {
        this.store = store;
        this.cache = cache;
        this.encoder = encoder;
        this.metrics = metrics;
    }

    /**
     * The task with every embedding recomputed by {@code modelVersion}, saved; empty when the stored task
     * changed while it was encoded (another replica added references or re-encoded it), and nothing saved.
     *
     * @throws IrisException MODEL_VERSION_MISMATCH when a reference file was not kept
     */
    Optional<Task> reencode(Task task, String modelVersion) {
        List<HashedPair> kept = new ArrayList<>();
        for (TaskReference r : task.references()) {
            if (!isKept(r.imageSha256()) || !isKept(r.maskSha256())) {
                throw new IrisException(ProblemType.MODEL_VERSION_MISMATCH, "Task " + task.id() + " was encoded by "
                        + task.modelVersion() + " and this service runs " + modelVersion + "; its reference files"
                        + " were not kept (or their retention ended), so register the task again");
            }
            kept.add(new HashedPair(new ReferenceUpload(keptFile(r.imageSha256()), keptFile(r.maskSha256())),
                    r.imageSha256(), r.maskSha256()));
        }
        log.info("Re-encoding task {} from {} to {}", task.id(), task.modelVersion(), modelVersion);
        InferenceTimings timings = new InferenceTimings();
        // the kept files stay as they are, under the keys the task records
        List<TaskReference> references = encoder.encodeAll(kept, "kept reference", task.labels(), 0, modelVersion,
                timings, (decoded, keptSha256) -> keptSha256);
        Task reencoded = new Task(task.id(), task.tenant(), task.name(), task.classes(), references, modelVersion,
                task.createdAt());
        metrics.record(timings);
        if (!cache.replace(task, reencoded)) {
            log.info("Task {} changed while it was re-encoded; reading it again", task.id());
            return Optional.empty();
        }
        return Optional.of(reencoded);
    }

    /** Whether every reference file of the task is kept, so that it can be re-encoded. */
    boolean canReencode(Task task) {
        return task.references().stream().allMatch(r -> isKept(r.imageSha256()) && isKept(r.maskSha256()));
    }

    private boolean isKept(String sha256) {
        try {
            Optional<InputStream> in = store.openReferenceFile(sha256);
            if (in.isPresent()) {
                in.get().close();
                return true;
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    private VolumeUpload keptFile(String sha256) {
        return new VolumeUpload("kept-reference.nii.gz", () -> store.openReferenceFile(sha256)
                .orElseThrow(() -> new IOException("kept reference file " + sha256 + " disappeared")));
    }
}
