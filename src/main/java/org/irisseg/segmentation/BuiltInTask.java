package org.irisseg.segmentation;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.irisseg.error.IrisException;
import org.irisseg.error.Messages;
import org.irisseg.error.ProblemType;
import org.irisseg.model.MemoryBank;
import org.irisseg.task.Task;
import org.irisseg.task.TaskClass;
import org.irisseg.task.TaskReference;

/**
 * Built-in classes segmented like a task: the task id {@value #ID} with the classes named by their
 * catalogue ids stands for a task whose one "reference" is the model's memory bank. Class {@code k} of
 * the request gets label {@code k + 1} and its id as its name; every mode uses the bank's embedding.
 */
public final class BuiltInTask {

    /** The task id that names the built-in classes (registered task ids are UUIDs). */
    public static final String ID = "builtin";
    /** Tenant recorded on the built-in task, which every tenant may use (it is never stored). */
    public static final String EVERY_TENANT = "*";

    private BuiltInTask() {
    }

    /** Whether a request's task id asks for built-in classes. */
    public static boolean isBuiltIn(String taskId) {
        return ID.equals(taskId);
    }

    /**
     * The task of the built-in classes {@code ids}, in that order (duplicates once).
     *
     * @throws IrisException invalid-parameter when no class is named, unknown-class for an id the bank lacks
     */
    public static Task of(MemoryBank bank, List<String> ids, String modelVersion) {
        List<String> named = ids.stream().map(String::strip).filter(s -> !s.isEmpty()).distinct().toList();
        if (named.isEmpty()) {
            throw new IrisException(ProblemType.INVALID_PARAMETER, "taskId '" + ID + "' needs 'classes': the ids of"
                    + " built-in classes, listed by GET /api/v1/catalogue");
        }
        List<TaskClass> classes = new ArrayList<>();
        Map<Integer, float[]> embeddings = new LinkedHashMap<>();
        for (String id : named) {
            float[] embedding = bank.embedding(id).orElseThrow(() -> new IrisException(ProblemType.UNKNOWN_CLASS,
                    bank.isEmpty() ? "The model has no built-in classes (it was exported without a memory bank)"
                            : "The model has no built-in class '" + Messages.printable(id) + "'; GET /api/v1/catalogue lists"
                                    + " its " + bank.classes().size() + " classes"));
            int label = classes.size() + 1;
            classes.add(new TaskClass(label, id));
            embeddings.put(label, embedding);
        }
        TaskReference bankEntry = new TaskReference(0, "", "", new int[] {0, 0, 0}, modelVersion,
                embeddings);
        return new Task(ID, EVERY_TENANT, "built-in classes", classes, List.of(bankEntry), modelVersion, Instant.EPOCH);
    }
}
