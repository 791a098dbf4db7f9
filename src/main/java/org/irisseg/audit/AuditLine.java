package org.irisseg.audit;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One audit line: a JSON object, always with the same fields in the same order (null where a call has no
 * value), written as one line whatever its values hold.
 *
 * @param time         when the call was received (UTC, milliseconds)
 * @param requestId    the call's {@code X-Request-Id}, as echoed to the client
 * @param principal    who called ({@code -} when the call carried no authenticated caller)
 * @param tenant       the tenant the call acted for ({@code -} as above)
 * @param action       the operation, e.g. {@code task.register} ({@link AuditActions})
 * @param method       the HTTP method
 * @param taskId       the task the call concerned, when known and of the form of a task id
 * @param modelVersion the model version that served the call, when known
 * @param uploads      every uploaded volume: part name, SHA-256 and size
 * @param status       the HTTP status answered
 * @param durationMs   from receiving the call to its last byte handed to the container
 */
record AuditLine(Instant time, String requestId, String principal, String tenant, String action, String method,
        String taskId, String modelVersion, List<AuditFacts.Upload> uploads, int status, long durationMs) {

    /** Stands for a principal or tenant when the call carried no authenticated caller. */
    static final String NONE = "-";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    AuditLine {
        uploads = List.copyOf(uploads);
    }

    String toJson() {
        ObjectNode line = JSON.createObjectNode();
        line.put("time", time.truncatedTo(ChronoUnit.MILLIS).toString());
        line.put("requestId", requestId);
        line.put("principal", principal);
        line.put("tenant", tenant);
        line.put("action", action);
        line.put("method", method);
        line.put("taskId", taskId);
        line.put("modelVersion", modelVersion);
        ArrayNode parts = line.putArray("uploads");
        for (AuditFacts.Upload upload : uploads) {
            parts.addObject().put("part", upload.part()).put("sha256", upload.sha256()).put("bytes", upload.bytes());
        }
        line.put("status", status);
        line.put("durationMs", durationMs);
        return JSON.writeValueAsString(line);
    }
}
