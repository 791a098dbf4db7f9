package org.irisseg.segmentation;

/**
 * How much of one class a segmentation found.
 *
 * @param label       label value in the returned label map
 * @param name        class name
 * @param voxels      voxels carrying this label
 * @param millilitres voxels times the voxel volume
 * @param quality     how far the class can be trusted
 */
public record ClassVolume(int label, String name, long voxels, double millilitres, ClassQuality quality) {
}
