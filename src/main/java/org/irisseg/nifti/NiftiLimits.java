package org.irisseg.nifti;

/**
 * Upper bounds the reader enforces before it allocates or decompresses anything.
 *
 * @param maxVoxels            largest accepted voxel count (product of all dimensions)
 * @param maxDecompressedBytes largest accepted number of bytes of the uncompressed file
 *                             (header, extensions and voxel data), so a small gzip upload cannot
 *                             expand without bound (decompression bomb)
 */
public record NiftiLimits(long maxVoxels, long maxDecompressedBytes) {

    /** 512^3 voxels, the largest volume the service accepts by default. */
    public static final long DEFAULT_MAX_VOXELS = 512L * 512L * 512L;

    /** Enough for 512^3 float64 voxels plus 1 MiB of header and extensions. */
    public static final long DEFAULT_MAX_DECOMPRESSED_BYTES = DEFAULT_MAX_VOXELS * 8L + (1L << 20);

    public NiftiLimits {
        if (maxVoxels < 1 || maxVoxels > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(
                    "maxVoxels must be between 1 and " + (Integer.MAX_VALUE - 8) + " (one Java array), got " + maxVoxels);
        }
        if (maxDecompressedBytes < 352) {
            throw new IllegalArgumentException("maxDecompressedBytes must hold at least a header, got " + maxDecompressedBytes);
        }
    }

    /** 512^3 voxels and 512^3 * 8 + 1 MiB bytes. */
    public static NiftiLimits defaults() {
        return new NiftiLimits(DEFAULT_MAX_VOXELS, DEFAULT_MAX_DECOMPRESSED_BYTES);
    }
}
