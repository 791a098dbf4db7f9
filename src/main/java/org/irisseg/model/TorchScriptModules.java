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
 * The three TorchScript modules of an exported model directory, loaded through DJL's PyTorch engine.
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

    private TorchScriptModules(ModelManifest manifest, Model imageEncoder, Model taskEncoder, Model maskDecoder) {
        this.manifest = manifest;
        this.imageEncoder = imageEncoder;
        this.taskEncoder = taskEncoder;
        this.maskDecoder = maskDecoder;
    }

    /** Loads the modules of {@code dir} onto {@code device}; the caller has verified the checksums. */
    public static TorchScriptModules load(Path dir, ModelManifest manifest, Device device) {
        Model image = null;
        Model task = null;
        Model decoder = null;
        try {
            image = loadOne(dir, ModelManifest.IMAGE_ENCODER, device);
            task = loadOne(dir, ModelManifest.TASK_ENCODER, device);
            decoder = loadOne(dir, ModelManifest.MASK_DECODER, device);
            return new TorchScriptModules(manifest, image, task, decoder);
        } catch (RuntimeException e) {
            for (Model m : new Model[] {image, task, decoder}) {
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

    @Override
    public void close() {
        imageEncoder.close();
        taskEncoder.close();
        maskDecoder.close();
    }
}
