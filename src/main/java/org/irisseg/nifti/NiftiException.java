package org.irisseg.nifti;

/**
 * A NIfTI file the service cannot or will not use. The message tells the user what is wrong and what
 * to do about it; it never quotes file contents.
 */
public class NiftiException extends RuntimeException {

    /** What went wrong, so callers can map it to a response without parsing the message. */
    public enum Kind {
        /** Not a NIfTI-1 or NIfTI-2 single file (wrong magic, Analyze, a .hdr of a pair, random bytes). */
        NOT_NIFTI,
        /** Truncated or corrupt: broken gzip, a header that contradicts itself or the data. */
        CORRUPT,
        /** A datatype the service does not read (RGB, complex, float128, uint64, unknown codes). */
        UNSUPPORTED_DATATYPE,
        /** More voxels or more decompressed bytes than the configured {@link NiftiLimits}. */
        TOO_LARGE,
        /** Unusable geometry: zero or negative sizes, extra non-singleton dimensions, singular or non-finite affine. */
        INVALID_GEOMETRY,
        /** Voxel values not allowed: NaN or infinite in an image, negative or fractional in a label map. */
        INVALID_VALUES
    }

    private static final long serialVersionUID = 1L;

    private final Kind kind;

    public NiftiException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public NiftiException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
