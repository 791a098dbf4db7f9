package org.irisseg.task;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The on-disk JSON form of a {@link Task} (format 1). Embeddings are base64 of little-endian float32,
 * so a file round-trips bit-exactly. A reference encoded inside its focus box also carries the box side
 * ({@code focusSideMm}) and its focus embeddings ({@code focusEmbeddings}, encoded as {@code embeddings});
 * one without focus carries neither, and files written before focus existed load without it. Files written
 * before tasks dropped their per-class EMA summary still carry an {@code ema} object: it is ignored. Files
 * written before references recorded their class volumes ({@code volumesMl}) load with none. Files written
 * before upload file names were dropped still carry a {@code filename} per reference: it is read only to
 * tell that the file must be written again ({@link #holdsFileNames()}), never kept in a {@link Task} and
 * never written.
 * Files written before tasks had a tenant load as tasks of {@link Task#DEFAULT_TENANT}.
 */
@JsonIgnoreProperties({"ema"})
record TaskDocument(
        int format,
        String id,
        String tenant,
        String name,
        String modelVersion,
        String createdAt,
        List<TaskClass> classes,
        List<ReferenceDocument> references) {

    static final int FORMAT = 1;

    record ReferenceDocument(
            int index,
            @JsonInclude(JsonInclude.Include.NON_NULL) String filename,
            String imageSha256,
            String maskSha256,
            int[] shape,
            String modelVersion,
            Map<String, String> embeddings,
            Map<String, Double> volumesMl,
            @JsonInclude(JsonInclude.Include.NON_NULL) Double focusSideMm,
            @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, String> focusEmbeddings) {
    }

    static TaskDocument of(Task task) {
        List<ReferenceDocument> refs = task.references().stream()
                .map(r -> new ReferenceDocument(r.index(), null, r.imageSha256(), r.maskSha256(),
                        r.shape(), r.modelVersion(), encode(r.embeddings()), byName(r.volumesMl()),
                        r.hasFocus() ? r.focus().sideMm() : null, r.hasFocus() ? encode(r.focus().embeddings()) : null))
                .toList();
        return new TaskDocument(FORMAT, task.id(), task.tenant(), task.name(), task.modelVersion(),
                task.createdAt().toString(), task.classes(), refs);
    }

    Task toTask() {
        if (format != FORMAT) {
            throw new IllegalArgumentException("Task file format " + format + " is not " + FORMAT);
        }
        List<TaskReference> refs = references.stream()
                .map(r -> new TaskReference(r.index(), r.imageSha256(), r.maskSha256(), r.shape(),
                        r.modelVersion(), decode(r.embeddings()), byLabel(r.volumesMl()), focus(r)))
                .toList();
        return new Task(id, tenant == null ? Task.DEFAULT_TENANT : tenant, name, classes, refs, modelVersion,
                Instant.parse(createdAt));
    }

    /** Whether this document still holds upload file names (written before they were dropped). */
    boolean holdsFileNames() {
        return references.stream().anyMatch(r -> r.filename() != null);
    }

    /** The focus a reference's fields hold: null when neither is there. */
    private static ReferenceFocus focus(ReferenceDocument r) {
        if (r.focusSideMm() == null && r.focusEmbeddings() == null) {
            return null;
        }
        if (r.focusSideMm() == null || r.focusEmbeddings() == null) {
            throw new IllegalArgumentException("Reference " + r.index() + " has " + (r.focusSideMm() == null
                    ? "focusEmbeddings without focusSideMm" : "focusSideMm without focusEmbeddings"));
        }
        return new ReferenceFocus(r.focusSideMm(), decode(r.focusEmbeddings()));
    }

    private static Map<String, Double> byName(Map<Integer, Double> volumes) {
        Map<String, Double> out = new LinkedHashMap<>();
        volumes.forEach((label, v) -> out.put(String.valueOf(label), v));
        return out;
    }

    private static Map<Integer, Double> byLabel(Map<String, Double> volumes) {
        Map<Integer, Double> out = new LinkedHashMap<>();
        if (volumes != null) {
            volumes.forEach((label, v) -> out.put(Integer.parseInt(label), v));
        }
        return out;
    }

    private static Map<String, String> encode(Map<Integer, float[]> vectors) {
        Map<String, String> out = new LinkedHashMap<>();
        vectors.forEach((label, v) -> {
            ByteBuffer buffer = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            buffer.asFloatBuffer().put(v);
            out.put(String.valueOf(label), Base64.getEncoder().encodeToString(buffer.array()));
        });
        return out;
    }

    private static Map<Integer, float[]> decode(Map<String, String> vectors) {
        Map<Integer, float[]> out = new LinkedHashMap<>();
        vectors.forEach((label, text) -> {
            ByteBuffer buffer = ByteBuffer.wrap(Base64.getDecoder().decode(text)).order(ByteOrder.LITTLE_ENDIAN);
            float[] v = new float[buffer.remaining() / 4];
            buffer.asFloatBuffer().get(v);
            out.put(Integer.parseInt(label), v);
        });
        return out;
    }
}
