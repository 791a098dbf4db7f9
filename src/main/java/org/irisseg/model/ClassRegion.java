package org.irisseg.model;

/**
 * One class's native probabilities inside a box of the canonical grid, as {@code region_upsampler.pt}
 * returns them: outside the box every probability of the class is at most the threshold asked for.
 *
 * @param box    where the values are; empty when the class exceeds the threshold nowhere
 * @param values {@code box.voxels()} probabilities in C order over the box (x slowest, z fastest)
 */
public record ClassRegion(Box box, float[] values) {

    public ClassRegion {
        if (values.length != box.voxels()) {
            throw new IllegalArgumentException(values.length + " values for a box of " + box.voxels() + " voxels");
        }
    }
}
