package org.irisseg.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

/**
 * The image encoder's output for one volume: feature maps {@code f_0 .. f_{N-1}}
 * ({@code [1, C_i, G/2^i, G/2^i, G/2^i]}) and {@code size} (int64 {@code [3]}), kept opaque and on the
 * model's device so the volume is encoded once and reused by every task-encoder and decoder call.
 * Owns its tensors: close it when the request is done.
 */
public final class ImageFeatures implements AutoCloseable {

    private final NDManager manager;
    private final NDList tensors;
    private final int[] shape;

    ImageFeatures(NDManager manager, NDList tensors, int[] shape) {
        this.manager = manager;
        this.tensors = tensors;
        this.shape = shape.clone();
    }

    /** The N + 1 tensors, in the order the downstream modules take them. */
    NDList tensors() {
        return tensors;
    }

    NDManager manager() {
        return manager;
    }

    /** Canonical volume shape [X, Y, Z] that was encoded. */
    public int[] shape() {
        return shape.clone();
    }

    public long voxels() {
        return (long) shape[0] * shape[1] * shape[2];
    }

    @Override
    public void close() {
        manager.close();
    }
}
