package org.irisseg.nifti;

/** The NIfTI voxel datatypes the reader accepts, with their header codes and sizes. */
public enum NiftiDatatype {
    UINT8(2, 1),
    INT8(256, 1),
    INT16(4, 2),
    UINT16(512, 2),
    INT32(8, 4),
    UINT32(768, 4),
    INT64(1024, 8),
    FLOAT32(16, 4),
    FLOAT64(64, 8);

    private final int code;
    private final int bytesPerVoxel;

    NiftiDatatype(int code, int bytesPerVoxel) {
        this.code = code;
        this.bytesPerVoxel = bytesPerVoxel;
    }

    /** The value of the header's {@code datatype} field. */
    public int code() {
        return code;
    }

    public int bytesPerVoxel() {
        return bytesPerVoxel;
    }

    /** True for the integer types (their values are exact in float32 up to 2^24). */
    public boolean isInteger() {
        return this != FLOAT32 && this != FLOAT64;
    }

    /**
     * The datatype for a header code.
     *
     * @throws NiftiException {@code UNSUPPORTED_DATATYPE} naming the type when it is known but not read
     */
    public static NiftiDatatype fromCode(int code) {
        for (NiftiDatatype t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        String name = switch (code) {
            case 1 -> "binary (1 bit)";
            case 32 -> "complex64";
            case 128 -> "RGB24";
            case 1280 -> "uint64";
            case 1536 -> "float128";
            case 1792 -> "complex128";
            case 2048 -> "complex256";
            case 2304 -> "RGBA32";
            default -> null;
        };
        String accepted = "uint8, int8, int16, uint16, int32, uint32, int64, float32 or float64";
        if (name == null) {
            throw new NiftiException(NiftiException.Kind.UNSUPPORTED_DATATYPE,
                    "datatype code " + code + " is not a NIfTI datatype; save the volume as " + accepted);
        }
        throw new NiftiException(NiftiException.Kind.UNSUPPORTED_DATATYPE,
                "datatype " + name + " is not supported; save the volume as a single-channel " + accepted);
    }
}
