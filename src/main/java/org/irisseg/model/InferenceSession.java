package org.irisseg.model;

import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.TranslateException;

/**
 * One predictor per TorchScript module; not thread-safe, so the service hands sessions out from a
 * {@link BoundedPool}. All volumes are canonical RAS+ arrays in C order (index = (x*Y + y)*Z + z).
 *
 * <p>Every call runs on the session's own thread: libtorch's OpenMP keeps one worker team per calling
 * thread, so running the model from whichever servlet thread took the request would start (and leave
 * spinning) a new team per thread. One fixed thread per session keeps exactly one warm team per
 * predictor set.
 */
public final class InferenceSession implements AutoCloseable {

    private static final AtomicInteger SESSIONS = new AtomicInteger();

    private final Predictor<NDList, NDList> imageEncoder;
    private final Predictor<NDList, NDList> taskEncoder;
    private final Predictor<NDList, NDList> maskDecoder;
    private final Predictor<NDList, NDList> gridDecoder;
    private final Predictor<NDList, NDList> regionUpsampler;
    private final Predictor<NDList, NDList> objectEncoder;
    private final NDManager deviceManager;
    private final ModelManifest manifest;
    private final ExecutorService thread;

    InferenceSession(TorchScriptModules modules) {
        this.thread = Executors.newSingleThreadExecutor(runnable -> {
            Thread t = new Thread(runnable, "inference-" + SESSIONS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.imageEncoder = modules.newImageEncoderPredictor();
        this.taskEncoder = modules.newTaskEncoderPredictor();
        this.maskDecoder = modules.newMaskDecoderPredictor();
        this.gridDecoder = modules.newGridDecoderPredictor();
        this.regionUpsampler = modules.newRegionUpsamplerPredictor();
        this.objectEncoder = modules.newObjectEncoderPredictor();
        this.deviceManager = modules.deviceManager();
        this.manifest = modules.manifest();
    }

    /**
     * Encodes a volume once.
     *
     * @param shape canonical [X, Y, Z]
     * @param image raw intensities, X*Y*Z values in C order (tensor {@code [1, 1, X, Y, Z]})
     */
    public ImageFeatures encodeImage(int[] shape, float[] image, InferenceTimings timings) {
        return onSessionThread(() -> encodeImageHere(shape, image, timings));
    }

    private ImageFeatures encodeImageHere(int[] shape, float[] image, InferenceTimings timings) {
        checkVolume(shape, image.length, 1);
        NDManager manager = deviceManager.newSubManager();
        try {
            NDArray input = manager.create(image, new Shape(1, 1, shape[0], shape[1], shape[2]));
            long start = System.nanoTime();
            NDList out = imageEncoder.predict(new NDList(input));
            timings.add(Stage.IMAGE_ENCODING, System.nanoTime() - start);
            input.close();
            if (out.size() != manifest.numFeatureTensors() + 1) {
                throw new InferenceException("Image encoder returned " + out.size() + " tensors, model.json says "
                        + (manifest.numFeatureTensors() + 1));
            }
            long[] size = out.get(out.size() - 1).toLongArray();
            if (size.length != 3 || size[0] != shape[0] || size[1] != shape[1] || size[2] != shape[2]) {
                throw new InferenceException("Image encoder reported size " + Arrays.toString(size) + " for "
                        + Arrays.toString(shape));
            }
            return new ImageFeatures(manager, out, shape);
        } catch (TranslateException | RuntimeException e) {
            manager.close();
            throw wrap("image encoder", e);
        }
    }

    /**
     * Encodes the classes of a reference into task embeddings.
     *
     * @param features the reference's image features
     * @param classes  K
     * @param masks    binary masks, K*X*Y*Z values in C order (tensor {@code [1, K, X, Y, Z]}), none empty
     * @return K embeddings of length E
     */
    public float[][] encodeTask(ImageFeatures features, int classes, float[] masks, InferenceTimings timings) {
        return onSessionThread(() -> encodeTaskHere(features, classes, masks, timings));
    }

    private float[][] encodeTaskHere(ImageFeatures features, int classes, float[] masks,
            InferenceTimings timings) {
        int[] shape = features.shape();
        checkVolume(shape, masks.length, classes);
        int voxels = (int) features.voxels();
        float[][] embeddings = new float[classes][];
        int chunk = chunkSize(classes);
        for (int first = 0; first < classes; first += chunk) {
            int count = Math.min(chunk, classes - first);
            float[] part = count == classes ? masks
                    : Arrays.copyOfRange(masks, first * voxels, (first + count) * voxels);
            try (NDManager scope = features.manager().newSubManager()) {
                NDArray maskTensor = scope.create(part, new Shape(1, count, shape[0], shape[1], shape[2]));
                NDList inputs = new NDList(features.tensors());
                inputs.add(maskTensor);
                long start = System.nanoTime();
                NDList out = taskEncoder.predict(inputs);
                timings.add(Stage.TASK_ENCODING, System.nanoTime() - start);
                out.attach(scope);
                NDArray embedding = out.singletonOrThrow();
                if (!embedding.getShape().equals(new Shape(1, count, manifest.embeddingDim()))) {
                    throw new InferenceException("Task encoder returned " + embedding.getShape() + ", expected [1, "
                            + count + ", " + manifest.embeddingDim() + "]");
                }
                float[] flat = embedding.toFloatArray();
                for (int k = 0; k < count; k++) {
                    embeddings[first + k] = Arrays.copyOfRange(flat, k * manifest.embeddingDim(),
                            (k + 1) * manifest.embeddingDim());
                }
            } catch (TranslateException | RuntimeException e) {
                throw wrap("task encoder", e);
            }
        }
        return embeddings;
    }

    /**
     * Segments an encoded volume with one embedding per class.
     *
     * @param embeddings K embeddings of length E (tensor {@code [1, K, E]})
     * @return independent sigmoid probabilities, K*X*Y*Z values in C order ({@code [1, K, X, Y, Z]})
     */
    public float[] decode(ImageFeatures features, float[][] embeddings, InferenceTimings timings) {
        return onSessionThread(() -> decodeHere(features, embeddings, timings));
    }

    private float[] decodeHere(ImageFeatures features, float[][] embeddings, InferenceTimings timings) {
        int classes = embeddings.length;
        int dim = manifest.embeddingDim();
        int[] shape = features.shape();
        int voxels = (int) features.voxels();
        checkVolume(shape, (long) classes * voxels, classes);
        float[] probabilities = new float[classes * voxels];
        int chunk = chunkSize(classes);
        for (int first = 0; first < classes; first += chunk) {
            int count = Math.min(chunk, classes - first);
            float[] flat = new float[count * dim];
            for (int k = 0; k < count; k++) {
                if (embeddings[first + k].length != dim) {
                    throw new InferenceException("Embedding of length " + embeddings[first + k].length
                            + " given to a model with E = " + dim);
                }
                System.arraycopy(embeddings[first + k], 0, flat, k * dim, dim);
            }
            try (NDManager scope = features.manager().newSubManager()) {
                NDArray embedding = scope.create(flat, new Shape(1, count, dim));
                NDList inputs = new NDList(features.tensors());
                inputs.add(embedding);
                long start = System.nanoTime();
                NDList out = maskDecoder.predict(inputs);
                timings.add(Stage.DECODING, System.nanoTime() - start);
                out.attach(scope);
                NDArray probs = out.singletonOrThrow();
                if (!probs.getShape().equals(new Shape(1, count, shape[0], shape[1], shape[2]))) {
                    throw new InferenceException("Mask decoder returned " + probs.getShape());
                }
                float[] part = probs.toFloatArray();
                System.arraycopy(part, 0, probabilities, first * voxels, part.length);
            } catch (TranslateException | RuntimeException e) {
                throw wrap("mask decoder", e);
            }
        }
        return probabilities;
    }

    /**
     * Decodes an encoded volume on the model grid ({@code grid_decoder.pt}): what {@link #decode} returns
     * before it is resampled to the native size, K x G^3 values whatever the volume's size.
     *
     * @param embeddings K embeddings of length E
     */
    public GridLogits decodeGrid(ImageFeatures features, float[][] embeddings, InferenceTimings timings) {
        return onSessionThread(() -> decodeGridHere(features, embeddings, timings));
    }

    private GridLogits decodeGridHere(ImageFeatures features, float[][] embeddings, InferenceTimings timings) {
        int classes = embeddings.length;
        int dim = manifest.embeddingDim();
        int g = manifest.grid();
        long perClass = (long) g * g * g;
        if (classes < 1 || perClass * classes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(classes + " classes on a grid of " + g + " do not fit one array");
        }
        float[] logits = new float[(int) (perClass * classes)];
        int chunk = chunkSize(classes);
        for (int first = 0; first < classes; first += chunk) {
            int count = Math.min(chunk, classes - first);
            try (NDManager scope = features.manager().newSubManager()) {
                NDList inputs = new NDList(features.tensors());
                inputs.add(scope.create(flatten(embeddings, first, count, dim), new Shape(1, count, dim)));
                long start = System.nanoTime();
                NDList out = gridDecoder.predict(inputs);
                timings.add(Stage.DECODING, System.nanoTime() - start);
                out.attach(scope);
                NDArray part = out.singletonOrThrow();
                if (!part.getShape().equals(new Shape(1, count, g, g, g))) {
                    throw new InferenceException("Grid decoder returned " + part.getShape() + ", expected [1, " + count
                            + ", " + g + ", " + g + ", " + g + "]");
                }
                System.arraycopy(part.toFloatArray(), 0, logits, (int) (first * perClass), (int) (count * perClass));
            } catch (TranslateException | RuntimeException e) {
                throw wrap("grid decoder", e);
            }
        }
        return new GridLogits(classes, g, logits);
    }

    /**
     * One class's native probabilities where they can exceed {@code threshold} ({@code region_upsampler.pt}):
     * inside the returned box they equal {@link #decode}'s; outside it they are at most the threshold. A
     * threshold of 0 or less gives the whole volume.
     */
    public ClassRegion upsample(ImageFeatures features, GridLogits logits, int classIndex, double threshold,
            InferenceTimings timings) {
        return onSessionThread(() -> upsampleHere(features, logits, classIndex, threshold, timings));
    }

    /**
     * {@link #upsample} for logits whose image features are already released: the volume is given by its
     * {@code shape} (canonical [X, Y, Z]) alone.
     */
    public ClassRegion upsample(int[] shape, GridLogits logits, int classIndex, double threshold,
            InferenceTimings timings) {
        return onSessionThread(() -> {
            try (NDManager scope = deviceManager.newSubManager()) {
                NDArray size = scope.create(new long[] {shape[0], shape[1], shape[2]});
                return upsampleIn(scope, size, shape, logits, classIndex, threshold, timings);
            }
        });
    }

    private ClassRegion upsampleHere(ImageFeatures features, GridLogits logits, int classIndex, double threshold,
            InferenceTimings timings) {
        try (NDManager scope = features.manager().newSubManager()) {
            return upsampleIn(scope, sizeTensor(features), features.shape(), logits, classIndex, threshold, timings);
        }
    }

    private ClassRegion upsampleIn(NDManager scope, NDArray size, int[] shape, GridLogits logits, int classIndex,
            double threshold, InferenceTimings timings) {
        if (classIndex < 0 || classIndex >= logits.classes()) {
            throw new IllegalArgumentException("class " + classIndex + " of " + logits.classes());
        }
        int g = logits.grid();
        int perClass = (int) logits.valuesPerClass();
        try {
            float[] one = Arrays.copyOfRange(logits.values(), classIndex * perClass, (classIndex + 1) * perClass);
            NDList inputs = new NDList(scope.create(one, new Shape(1, 1, g, g, g)), size,
                    scope.create(new float[] {(float) threshold}));
            long start = System.nanoTime();
            NDList out = regionUpsampler.predict(inputs);
            out.attach(scope);
            if (out.size() != 2) {
                throw new InferenceException("Region upsampler returned " + out.size() + " tensors, expected 2");
            }
            long[] b = out.get(0).toLongArray();
            if (b.length != 6) {
                throw new InferenceException("Region upsampler returned a box of " + b.length + " values");
            }
            Box box = new Box((int) b[0], (int) b[1], (int) b[2], (int) b[3], (int) b[4], (int) b[5]);
            NDArray values = out.get(1);
            if (!box.within(shape) || !values.getShape().equals(new Shape(1, 1, box.sizeX(), box.sizeY(), box.sizeZ()))) {
                throw new InferenceException("Region upsampler returned " + values.getShape() + " in " + box + " of "
                        + Arrays.toString(shape));
            }
            float[] data = box.isEmpty() ? new float[0] : values.toFloatArray();
            timings.add(Stage.DECODING, System.nanoTime() - start);
            return new ClassRegion(box, data);
        } catch (TranslateException | RuntimeException e) {
            throw wrap("region upsampler", e);
        }
    }

    /**
     * Encodes masks given as a box of the volume ({@code object_encoder.pt}): the same embeddings as
     * {@link #encodeTask} with whole-size masks that are zero outside the box.
     *
     * @param masks {@code classes} binary masks over the box, class after class, each in C order; none empty
     * @return one embedding of length E per class
     */
    public float[][] encodeObjects(ImageFeatures features, Box box, int classes, float[] masks,
            InferenceTimings timings) {
        return onSessionThread(() -> encodeObjectsHere(features, box, classes, masks, timings));
    }

    private float[][] encodeObjectsHere(ImageFeatures features, Box box, int classes, float[] masks,
            InferenceTimings timings) {
        if (box.isEmpty() || !box.within(features.shape()) || classes < 1 || masks.length != classes * box.voxels()) {
            throw new IllegalArgumentException(masks.length + " mask values for " + classes + " classes in " + box);
        }
        int dim = manifest.embeddingDim();
        try (NDManager scope = features.manager().newSubManager()) {
            NDList inputs = new NDList(features.tensors());
            inputs.add(scope.create(masks, new Shape(1, classes, box.sizeX(), box.sizeY(), box.sizeZ())));
            inputs.add(scope.create(new long[] {box.x0(), box.y0(), box.z0()}));
            long start = System.nanoTime();
            NDList out = objectEncoder.predict(inputs);
            timings.add(Stage.TASK_ENCODING, System.nanoTime() - start);
            out.attach(scope);
            NDArray embedding = out.singletonOrThrow();
            if (!embedding.getShape().equals(new Shape(1, classes, dim))) {
                throw new InferenceException("Object encoder returned " + embedding.getShape() + ", expected [1, "
                        + classes + ", " + dim + "]");
            }
            float[] flat = embedding.toFloatArray();
            float[][] out2 = new float[classes][];
            for (int k = 0; k < classes; k++) {
                out2[k] = Arrays.copyOfRange(flat, k * dim, (k + 1) * dim);
            }
            return out2;
        } catch (TranslateException | RuntimeException e) {
            throw wrap("object encoder", e);
        }
    }

    /** Most classes one task-encoder or decoder call takes ({@code num_classes_max}). */
    public int classesPerCall() {
        return chunkSize(Integer.MAX_VALUE);
    }

    private NDArray sizeTensor(ImageFeatures features) {
        return features.tensors().get(features.tensors().size() - 1);
    }

    private static float[] flatten(float[][] embeddings, int first, int count, int dim) {
        float[] flat = new float[count * dim];
        for (int k = 0; k < count; k++) {
            if (embeddings[first + k].length != dim) {
                throw new InferenceException("Embedding of length " + embeddings[first + k].length
                        + " given to a model with E = " + dim);
            }
            System.arraycopy(embeddings[first + k], 0, flat, k * dim, dim);
        }
        return flat;
    }

    /**
     * Runs {@code work} on the session thread, with the caller's logging context (its request id), and waits
     * for it without giving up early: the caller holds the session's lease, and returning it while the work
     * still runs would let two requests share it.
     */
    private <T> T onSessionThread(Callable<T> work) {
        Future<T> future = thread.submit(CarriedLogContext.carry(work));
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return future.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException runtime) {
                        throw runtime;
                    }
                    if (e.getCause() instanceof Error error) {
                        throw error;
                    }
                    throw new InferenceException("Inference failed", e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private int chunkSize(int classes) {
        int max = manifest.numClassesMax();
        return max > 0 ? Math.min(max, Math.max(1, classes)) : Math.max(1, classes);
    }

    private static void checkVolume(int[] shape, long values, int channels) {
        if (shape.length != 3 || shape[0] <= 0 || shape[1] <= 0 || shape[2] <= 0 || channels <= 0) {
            throw new IllegalArgumentException("Volume shape must be three positive sizes and at least one class");
        }
        long expected = (long) shape[0] * shape[1] * shape[2] * channels;
        if (values != expected || expected > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Expected " + expected + " values for shape "
                    + Arrays.toString(shape) + " x " + channels + ", got " + values);
        }
    }

    private static RuntimeException wrap(String module, Exception e) {
        if (e instanceof InferenceException || e instanceof IllegalArgumentException) {
            return (RuntimeException) e;
        }
        return new InferenceException("The " + module + " failed: " + e.getClass().getSimpleName(), e);
    }

    @Override
    public void close() {
        thread.shutdown();
        imageEncoder.close();
        taskEncoder.close();
        maskDecoder.close();
        gridDecoder.close();
        regionUpsampler.close();
        objectEncoder.close();
    }
}
