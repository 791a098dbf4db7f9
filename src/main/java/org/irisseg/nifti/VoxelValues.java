package org.irisseg.nifti;

/** Which voxel values a read accepts. */
enum VoxelValues {
    /** Any finite value; NaN and infinities are refused. */
    IMAGE,
    /** Whole numbers 0..2^24 (exact in float32); negative or fractional values are refused. */
    LABEL_MAP;

    /** Largest label that float32 holds exactly. */
    static final double MAX_LABEL = 1 << 24;
}
