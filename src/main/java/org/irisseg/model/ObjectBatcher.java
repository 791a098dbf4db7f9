package org.irisseg.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Encodes objects (one binary mask per class, each given as its box of the volume) with
 * {@code object_encoder.pt}, several classes per call where their boxes lie close together: a batch
 * shares the box around its members while that box, once per member, stays within twice their own boxes
 * (or 2^20 voxels) and within one volume. Used for a query's predicted objects and for a reference's
 * classes.
 *
 * <p>Memory, whatever the number of classes: the masks waiting in the batch hold at most
 * {@code max(V, 2^20)} values (V the volume's voxels) and so does the batch's shared copy made when it is
 * encoded, so the batcher holds at most {@value #HELD_VOLUMES} volumes of float32 (plus the mask a caller
 * builds for its next {@link #add}, at most one more).
 */
public final class ObjectBatcher {

    /** Volume-sized arrays the batcher holds at its peak: the waiting masks and the batch's copy. */
    public static final int HELD_VOLUMES = 2;

    /** A batch may always hold this many values, however small the volume. */
    public static final long SMALL_VALUES = 1L << 20;

    /** Values the batcher's arrays may hold beyond a volume of {@code voxels} (a small volume still batches 2^20). */
    public static long valuesBeyond(long voxels) {
        return HELD_VOLUMES * Math.max(0, SMALL_VALUES - voxels);
    }

    private final InferenceSession session;
    private final ImageFeatures features;
    private final InferenceTimings timings;
    private final float[][] embeddings;
    private final long volumeLimit;
    private final List<Pending> batch = new ArrayList<>();
    private Box union;
    private long ownValues;

    public ObjectBatcher(InferenceSession session, ImageFeatures features, int classes, InferenceTimings timings) {
        this.session = session;
        this.features = features;
        this.timings = timings;
        this.embeddings = new float[classes][];
        this.volumeLimit = Math.max(features.voxels(), SMALL_VALUES);
    }

    /**
     * @param classIndex the class the mask belongs to
     * @param box        where the mask lies, not empty
     * @param mask       {@code box.voxels()} values in C order over the box, at least one of them 1
     */
    public void add(int classIndex, Box box, float[] mask) {
        if (!batch.isEmpty()) {
            Box joined = union.union(box);
            long values = (batch.size() + 1L) * joined.voxels();
            long own = ownValues + box.voxels();
            if (batch.size() + 1 > session.classesPerCall() || values > Math.max(2 * own, SMALL_VALUES)
                    || values > volumeLimit) {
                flush();
            }
        }
        batch.add(new Pending(classIndex, box, mask));
        union = batch.size() == 1 ? box : union.union(box);
        ownValues += box.voxels();
    }

    /** Embeddings by class index (null for a class never added), after encoding what still waits. */
    public float[][] embeddings() {
        flush();
        return embeddings;
    }

    private void flush() {
        if (batch.isEmpty()) {
            return;
        }
        int n = batch.size();
        Box u = union;
        float[] masks;
        if (n == 1) {
            masks = batch.get(0).mask();
        } else {
            int perClass = (int) u.voxels();
            masks = new float[n * perClass];
            for (int j = 0; j < n; j++) {
                Pending p = batch.get(j);
                Box b = p.box();
                int i = 0;
                for (int x = b.x0(); x < b.x1(); x++) {
                    for (int y = b.y0(); y < b.y1(); y++) {
                        int at = j * perClass + ((x - u.x0()) * u.sizeY() + (y - u.y0())) * u.sizeZ() + (b.z0() - u.z0());
                        System.arraycopy(p.mask(), i, masks, at, b.sizeZ());
                        i += b.sizeZ();
                    }
                }
            }
        }
        float[][] out = session.encodeObjects(features, u, n, masks, timings);
        for (int j = 0; j < n; j++) {
            embeddings[batch.get(j).classIndex()] = out[j];
        }
        batch.clear();
        union = null;
        ownValues = 0;
    }

    private record Pending(int classIndex, Box box, float[] mask) {
    }
}
