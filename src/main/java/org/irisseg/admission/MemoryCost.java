package org.irisseg.admission;

/**
 * The heap a request holds at its peak, known from volume headers before any voxel is decoded: float32
 * or int32 copies of the volume, {@code fixedCopies} whatever the number of classes plus
 * {@code copiesPerClass} for each of {@code classes}. All arithmetic is in {@code long} and saturates
 * instead of overflowing.
 *
 * @param voxels         voxels of the volume (X * Y * Z, as the header declares)
 * @param classes        classes decoded or encoded at once (K)
 * @param fixedCopies    volume-sized arrays independent of K (decoded image, canonical copy, label maps)
 * @param copiesPerClass volume-sized arrays per class (masks, probabilities and their transfer copies)
 */
public record MemoryCost(long voxels, int classes, int fixedCopies, int copiesPerClass) {

    /** Bytes of one voxel in memory: every decoded volume, mask and probability map is float32 or int32. */
    public static final int BYTES_PER_VOXEL = 4;

    /** Largest Java array; K volume-sized channels of one tensor live in one array. */
    public static final long MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

    public MemoryCost {
        if (voxels < 1 || classes < 1 || fixedCopies < 0 || copiesPerClass < 0) {
            throw new IllegalArgumentException("a memory cost needs voxels >= 1, classes >= 1 and copies >= 0, got "
                    + voxels + ", " + classes + ", " + fixedCopies + ", " + copiesPerClass);
        }
    }

    /** Volume-sized copies in all: fixed + per class x K. */
    public long copies() {
        return saturatedAdd(fixedCopies, saturatedMultiply(copiesPerClass, classes));
    }

    /** voxels x bytes per voxel x copies; {@link Long#MAX_VALUE} when that does not fit a long. */
    public long bytes() {
        return saturatedMultiply(saturatedMultiply(voxels, BYTES_PER_VOXEL), copies());
    }

    /** Whether K channels of the volume fit one Java array (the [1, K, X, Y, Z] tensors do). */
    public boolean fitsInArrays() {
        return saturatedMultiply(voxels, classes) <= MAX_ARRAY_LENGTH;
    }

    private static long saturatedMultiply(long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    private static long saturatedAdd(long a, long b) {
        try {
            return Math.addExact(a, b);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }
}
