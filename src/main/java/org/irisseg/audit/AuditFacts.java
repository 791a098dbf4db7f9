package org.irisseg.audit;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

import org.irisseg.segmentation.BuiltInTask;
import org.irisseg.task.TaskSummary;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;

/**
 * What the controllers know about an API call that its audit line reports: the task it concerned, the model
 * version that served it and the SHA-256 of every uploaded volume. {@link AuditFilter} puts one on each API
 * request; controllers report through the static methods, which do nothing outside an audited request.
 * Free text never gets in: a task id is kept only when it has the form of one (a UUID, or
 * {@value BuiltInTask#ID}), an upload is kept as its part name, digest and size.
 */
public final class AuditFacts {

    static final String ATTRIBUTE = AuditFacts.class.getName();

    private static final Pattern UUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private volatile String taskId;
    private volatile String modelVersion;
    private final List<Upload> uploads = new CopyOnWriteArrayList<>();

    /** One uploaded volume: the form part it came in ({@code image}, {@code references}, {@code masks}). */
    public record Upload(String part, String sha256, long bytes) {
    }

    AuditFacts() {
    }

    /** The call concerns this task (ignored unless it has the form of a task id). */
    public static void taskId(String id) {
        current().ifPresent(facts -> facts.setTaskId(id));
    }

    /** The call concerns this task, encoded by its model version. */
    public static void task(TaskSummary task) {
        current().ifPresent(facts -> {
            facts.setTaskId(task.id());
            facts.modelVersion = task.modelVersion();
        });
    }

    /** The model version that served the call. */
    public static void modelVersion(String version) {
        current().ifPresent(facts -> facts.modelVersion = version);
    }

    /** Records an uploaded part ({@code image}, {@code references}, {@code masks}) by its digest and size. */
    public static void upload(String part, String sha256, long bytes) {
        current().ifPresent(facts -> facts.uploads.add(new Upload(part, sha256, bytes)));
    }

    /** The form of a task id: a UUID or the built-in task's id; anything else is free text. */
    static boolean looksLikeTaskId(String id) {
        return id != null && (BuiltInTask.isBuiltIn(id) || UUID.matcher(id).matches());
    }

    void setTaskId(String id) {
        if (looksLikeTaskId(id)) {
            taskId = id;
        }
    }

    String taskId() {
        return taskId;
    }

    String modelVersion() {
        return modelVersion;
    }

    List<Upload> uploads() {
        return List.copyOf(uploads);
    }

    private static Optional<AuditFacts> current() {
        RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
        return attributes != null
                && attributes.getAttribute(ATTRIBUTE, RequestAttributes.SCOPE_REQUEST) instanceof AuditFacts facts
                ? Optional.of(facts) : Optional.empty();
    }
}
