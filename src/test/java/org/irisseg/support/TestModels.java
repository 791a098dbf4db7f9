package org.irisseg.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Model directories that fail in a known way, made from the exported model under test (never from
 * hard-coded model facts): written below {@code target/test-models}.
 */
public final class TestModels {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String[] MODULES = {"image_encoder.pt", "task_encoder.pt", "mask_decoder.pt",
        "grid_decoder.pt", "region_upsampler.pt", "object_encoder.pt"};

    private TestModels() {
    }

    /** The model's {@code model.json} without its modules: found at start-up, refused by verification. */
    public static Path withoutModules() throws IOException {
        Path dir = newDirectory("without-modules");
        Files.copy(TestPaths.assumeModel().resolve("model.json"), dir.resolve("model.json"));
        return dir;
    }

    /**
     * The model's modules (linked, checksums intact) with a {@code model.json} that claims an embedding
     * size one larger than theirs and no memory bank (whose rows would not match that size either): it
     * loads, then fails its warm-up.
     */
    public static Path claimingAnotherEmbeddingSize() throws IOException {
        Path model = TestPaths.assumeModel();
        Path dir = newDirectory("wrong-embedding-size");
        for (String module : MODULES) {
            Files.createSymbolicLink(dir.resolve(module), model.resolve(module));
        }
        ObjectNode manifest = (ObjectNode) JSON.readTree(model.resolve("model.json").toFile());
        manifest.put("embedding_dim", manifest.path("embedding_dim").asInt() + 1);
        manifest.remove("memory_bank");
        ((ObjectNode) manifest.path("files")).remove("memory_bank.npy");
        Files.writeString(dir.resolve("model.json"), JSON.writeValueAsString(manifest));
        return dir;
    }

    private static Path newDirectory(String name) throws IOException {
        return Files.createDirectories(TestPaths.repositoryRoot().resolve("target/test-models")
                .resolve(name + "-" + UUID.randomUUID()));
    }
}
