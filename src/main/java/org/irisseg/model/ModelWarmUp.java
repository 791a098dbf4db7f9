package org.irisseg.model;

/**
 * Runs a synthetic volume through the modules before the service reports ready: checks the module outputs
 * against {@code model.json} (tensor count N + 1, embedding size E, probability shape and range) and pays
 * the one-off costs of the first calls (the region modules twice: TorchScript optimises on its second run).
 */
final class ModelWarmUp {

    /** A hippocampus-sized, deliberately non-cubic volume. */
    static final int[] SHAPE = {35, 47, 37};

    private ModelWarmUp() {
    }

    static void run(InferenceSession session) {
        int[] s = SHAPE;
        float[] image = new float[s[0] * s[1] * s[2]];
        float[] mask = new float[image.length];
        for (int x = 0; x < s[0]; x++) {
            for (int y = 0; y < s[1]; y++) {
                for (int z = 0; z < s[2]; z++) {
                    int i = (x * s[1] + y) * s[2] + z;
                    double dx = x - s[0] / 2.0;
                    double dy = y - s[1] / 2.0;
                    double dz = z - s[2] / 2.0;
                    double r2 = dx * dx + dy * dy + dz * dz;
                    image[i] = (float) (100 * Math.exp(-r2 / 80) + (i % 7));
                    mask[i] = r2 < 36 ? 1f : 0f;
                }
            }
        }
        InferenceTimings timings = new InferenceTimings();
        try (ImageFeatures features = session.encodeImage(s, image, timings)) {
            float[][] embedding = session.encodeTask(features, 1, mask, timings);
            float[] probabilities = session.decode(features, embedding, timings);
            for (int run = 0; run < 2; run++) {
                GridLogits logits = session.decodeGrid(features, embedding, timings);
                session.upsample(features, logits, 0, 0.5, timings);
                session.encodeObjects(features, Box.whole(s), 1, mask, timings);
            }
            for (float p : probabilities) {
                if (!(p >= 0f && p <= 1f)) {
                    throw new ModelLoadException("Mask decoder returned a value outside [0, 1]: not the "
                            + "sigmoid probabilities the export contract promises");
                }
            }
        }
    }
}
