package org.irisseg.error;

import java.net.URI;

/**
 * Every cause of a failed request, with its stable RFC 9457 {@code type} URI, HTTP status and title.
 * The slugs are part of the API contract: clients branch on {@link #uri()}, never on the detail text.
 */
public enum ProblemType {
    NOT_NIFTI("not-nifti", 415, "Not a NIfTI file"),
    CORRUPT_NIFTI("corrupt-nifti", 400, "Corrupt NIfTI file"),
    UNSUPPORTED_DATATYPE("unsupported-datatype", 415, "Unsupported NIfTI data type"),
    TOO_LARGE("too-large", 413, "Upload or volume too large"),
    INVALID_GEOMETRY("invalid-geometry", 400, "Invalid NIfTI geometry"),
    INVALID_VALUES("invalid-values", 400, "Invalid voxel values"),
    GRID_MISMATCH("grid-mismatch", 400, "Reference and mask grids differ"),
    EMPTY_MASK("empty-class-mask", 400, "Empty class mask"),
    UNKNOWN_CLASS("unknown-class", 400, "Unknown class"),
    TOO_MANY_CLASSES("too-many-classes", 400, "Too many classes"),
    VOLUME_TOO_SMALL("volume-too-small", 400, "Volume too small for the 3D model"),
    TASK_NOT_FOUND("task-not-found", 404, "Unknown task"),
    MODEL_VERSION_MISMATCH("model-version-mismatch", 409, "Task encoded by another model"),
    FOCUS_UNAVAILABLE("focus-unavailable", 409, "Task has no focus embeddings"),
    INVALID_PARAMETER("invalid-parameter", 400, "Invalid request parameter"),
    UNAUTHENTICATED("unauthenticated", 401, "Authentication required"),
    FORBIDDEN("forbidden", 403, "Not permitted"),
    ORIGIN_NOT_ALLOWED("origin-not-allowed", 403, "Origin not allowed"),
    UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", 415, "Unsupported media type"),
    NOT_ACCEPTABLE("not-acceptable", 406, "Not acceptable"),
    NOT_FOUND("not-found", 404, "Not found"),
    METHOD_NOT_ALLOWED("method-not-allowed", 405, "Method not allowed"),
    OVERLOADED("overloaded", 429, "Too many requests waiting"),
    QUEUE_TIMEOUT("queue-timeout", 503, "No inference slot became free in time"),
    MODEL_NOT_READY("model-not-ready", 503, "Model not ready"),
    MEMORY_BUSY("memory-busy", 503, "Memory budget in use"),
    STORAGE_FAILED("storage-failed", 507, "Task store could not save the change"),
    STORE_UNAVAILABLE("store-unavailable", 503, "Task store unavailable"),
    ISSUER_UNAVAILABLE("issuer-unavailable", 503, "Token issuer unavailable"),
    INTERNAL("internal-error", 500, "Internal error");

    /** Base of every type URI. */
    public static final String BASE = "https://irisseg.org/problems/";

    private final String slug;
    private final int status;
    private final String title;

    ProblemType(String slug, int status, String title) {
        this.slug = slug;
        this.status = status;
        this.title = title;
    }

    public String slug() {
        return slug;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public URI uri() {
        return URI.create(BASE + slug);
    }
}
