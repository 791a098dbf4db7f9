package org.irisseg.admission;

/**
 * The heap a request holds at its peak, known from volume headers before any voxel is decoded: float32
 * or int32 copies of the volume, {@code fixedCopies} whatever the number of classes plus
 * {@code copiesPerClass} for each of {@code classes}, {@code valuesPerClass} float32 values per class
 * that do not grow with the volume (logits on the model grid), and {@code fixedValues} float32 values
 * that depend on neither (what a small volume's arrays may hold beyond its size). All arithmetic is in
 * {@code long} and saturates instead of overflowing.
 *
 * @param voxels         voxels of the volume (X * Y * Z, as the header declares)
 * @param classes        classes decoded or encoded at once (K)
 * @param fixedCopies    volume-sized arrays independent of K (decoded image, canonical copy, label maps)
 * @param copiesPerClass volume-sized arrays per class (masks, probabilities and their transfer copies),
 *                       held K to one array
 * @param valuesPerClass values per class independent of the volume's size
 * @param fixedValues    values independent of the volume's size and of K
 */
public record MemoryCost(long voxels, int classes, int fixedCopies, int copiesPerClass, long valuesPerClass,
        long fixedValues) {

    /** Bytes of one voxel in memory: every decoded volume, mask and probability map is float32 or int32. */
    public static final int BYTES_PER_VOXEL = 4;

    /** Largest Java array; K volume-sized channels of one tensor live in one array. */
    public static final long MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

    public MemoryCost {
        if (voxels < 1 || classes < 1 || fixedCopies < 0 || copiesPerClass < 0 || valuesPerClass < 0
                || fixedValues < 0) {
            throw new IllegalArgumentException("a memory cost needs voxels >= 1, classes >= 1 and copies >= 0, got "
                    + voxels + ", " + classes + ", " + fixedCopies + ", " + copiesPerClass + ", " + valuesPerClass
                    + ", " + fixedValues);
        }
    }

    /** A cost of volume-sized copies only. */
    public MemoryCost(long voxels, int classes, int fixedCopies, int copiesPerClass) {
        this(voxels, classes, fixedCopies, copiesPerClass, 0, 0);
    }

    /** A cost of volume-sized copies and values per class. */
    public MemoryCost(long voxels, int classes, int fixedCopies, int copiesPerClass, long valuesPerClass) {
        this(voxels, classes, fixedCopies, copiesPerClass, valuesPerClass, 0);
    }

    /** Volume-sized copies in all: fixed + per class x K. */
    public long copies() {
        return saturatedAdd(fixedCopies, saturatedMultiply(copiesPerClass, classes));
    }

    /**
     * (voxels x copies + values per class x K + fixed values) x bytes per value; {@link Long#MAX_VALUE} when
     * that does not fit a long.
     */
    public long bytes() {
        long values = saturatedAdd(saturatedAdd(saturatedMultiply(voxels, copies()),
                saturatedMultiply(valuesPerClass, classes)), fixedValues);
        return saturatedMultiply(values, BYTES_PER_VOXEL);
    }

    /**
     * Whether the arrays fit Java arrays: one volume always, K channels of it in one array where there are
     * per-class copies (the K maps of {@code output=probabilities} or {@code uncertainty}).
     */
    public boolean fitsInArrays() {
        return saturatedMultiply(voxels, copiesPerClass > 0 ? classes : 1) <= MAX_ARRAY_LENGTH
                && saturatedMultiply(valuesPerClass, classes) <= MAX_ARRAY_LENGTH;
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
