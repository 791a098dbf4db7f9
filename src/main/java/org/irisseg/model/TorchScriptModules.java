package org.irisseg.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.translate.NoopTranslator;

/**
 * The TorchScript modules of an exported model directory (the three whole-volume modules and the three
 * region modules), loaded through DJL's PyTorch engine.
 * Thread-safe to share; predictors made from it are not (see {@link InferenceSession}).
 */
public final class TorchScriptModules implements AutoCloseable {

    static {
        DjlSettings.apply();
    }

    private final ModelManifest manifest;
    private final Model imageEncoder;
    private final Model taskEncoder;
    private final Model maskDecoder;
    private final Model gridDecoder;
    private final Model regionUpsampler;
    private final Model objectEncoder;

    private TorchScriptModules(ModelManifest manifest, Model[] models) {
        this.manifest = manifest;
        this.imageEncoder = models[0];
        this.taskEncoder = models[1];
        this.maskDecoder = models[2];
        this.gridDecoder = models[3];
        this.regionUpsampler = models[4];
        this.objectEncoder = models[5];
    }

    /** Loads the modules of {@code dir} onto {@code device}; the caller has verified the checksums. */
    public static TorchScriptModules load(Path dir, ModelManifest manifest, Device device) {
        String[] files = {ModelManifest.IMAGE_ENCODER, ModelManifest.TASK_ENCODER, ModelManifest.MASK_DECODER,
            ModelManifest.GRID_DECODER, ModelManifest.REGION_UPSAMPLER, ModelManifest.OBJECT_ENCODER};
        Model[] models = new Model[files.length];
        try {
            for (int i = 0; i < files.length; i++) {
                models[i] = loadOne(dir, files[i], device);
            }
            return new TorchScriptModules(manifest, models);
        } catch (RuntimeException e) {
            for (Model m : models) {
                if (m != null) {
                    m.close();
                }
            }
            throw e;
        }
    }

    private static Model loadOne(Path dir, String file, Device device) {
        Model model = Model.newInstance(file, device, "PyTorch");
        try {
            model.load(dir.resolve(file), null, Map.of("mapLocation", "true"));
            return model;
        } catch (IOException | MalformedModelException | RuntimeException e) {
            model.close();
            throw new ModelLoadException("Cannot load TorchScript module " + file + ": " + e.getMessage(), e);
        }
    }

    public ModelManifest manifest() {
        return manifest;
    }

    /** A new set of predictors; close it when done. */
    public InferenceSession newSession() {
        return new InferenceSession(this);
    }

    NDManager deviceManager() {
        return imageEncoder.getNDManager();
    }

    Predictor<NDList, NDList> newImageEncoderPredictor() {
        return imageEncoder.newPredictor(new NoopTranslator());
    }

    Predictor<NDList, NDList> newTaskEncoderPredictor() {
        return taskEncoder.newPredictor(new NoopTranslator());
    }

    Predictor<NDList, NDList> newMaskDecoderPredictor() {
        return maskDecoder.newPredictor(new NoopTranslator());
    }

    Predictor<NDList, NDList> newGridDecoderPredictor() {
        return gridDecoder.newPredictor(new NoopTranslator());
    }

    Predictor<NDList, NDList> newRegionUpsamplerPredictor() {
        return regionUpsampler.newPredictor(new NoopTranslator());
    }

    Predictor<NDList, NDList> newObjectEncoderPredictor() {
        return objectEncoder.newPredictor(new NoopTranslator());
    }

    @Override
    public void close() {
        for (Model m : new Model[] {imageEncoder, taskEncoder, maskDecoder, gridDecoder, regionUpsampler, objectEncoder}) {
            m.close();
        }
    }
}
