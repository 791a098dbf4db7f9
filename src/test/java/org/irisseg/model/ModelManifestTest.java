package org.irisseg.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.json.JsonMapper;

class ModelManifestTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    private void write() throws IOException {
        String[] modules = {"image_encoder.pt", "task_encoder.pt", "mask_decoder.pt", "grid_decoder.pt",
            "region_upsampler.pt", "object_encoder.pt"};
        for (String f : modules) {
            Files.writeString(dir.resolve(f), "module " + f);
        }
        Files.writeString(dir.resolve("model.json"), """
                {"name": "iris-small", "version": "1.2.0", "format": 1,
                 "files": {"image_encoder.pt": "%s", "task_encoder.pt": "%s", "mask_decoder.pt": "%s",
                           "grid_decoder.pt": "%s", "region_upsampler.pt": "%s", "object_encoder.pt": "%s"},
                 "grid": [64, 64, 64], "embedding_dim": 3168, "num_feature_tensors": 5,
                 "num_classes_max": 16, "evaluation": {"hippocampus": {"one_shot_dice": 0.71}}}
                """.formatted(ModelChecksums.sha256(dir.resolve("image_encoder.pt")),
                ModelChecksums.sha256(dir.resolve("task_encoder.pt")),
                ModelChecksums.sha256(dir.resolve("mask_decoder.pt")), ModelChecksums.sha256(dir.resolve("grid_decoder.pt")),
                ModelChecksums.sha256(dir.resolve("region_upsampler.pt")),
                ModelChecksums.sha256(dir.resolve("object_encoder.pt"))));
    }

    @Test
    void readsTheContractKeys() throws IOException {
        write();
        ModelManifest m = ModelManifest.read(dir, JSON);
        assertEquals("iris-small@1.2.0", m.modelVersion());
        assertEquals(64, m.grid());
        assertEquals(3168, m.embeddingDim());
        assertEquals(5, m.numFeatureTensors());
        assertEquals(16, m.numClassesMax());
        ModelChecksums.verify(dir, m);
    }

    @Test
    void anAlteredModuleFailsVerification() throws IOException {
        write();
        ModelManifest m = ModelManifest.read(dir, JSON);
        Files.writeString(dir.resolve("task_encoder.pt"), "tampered");
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> ModelChecksums.verify(dir, m));
        assertTrue(e.getMessage().contains("task_encoder.pt"));
    }

    @Test
    void aMissingOrForeignManifestIsRefused() throws IOException {
        assertThrows(ModelLoadException.class, () -> ModelManifest.read(dir, JSON));
        Files.writeString(dir.resolve("model.json"), "{\"format\": 2}");
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> ModelManifest.read(dir, JSON));
        assertTrue(e.getMessage().contains("format"));
    }
}
