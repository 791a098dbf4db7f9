package org.irisseg.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.irisseg.util.Sha256;

/** Checks every file listed in {@code model.json} against its SHA-256. */
public final class ModelChecksums {

    private ModelChecksums() {
    }

    /** Throws {@link ModelLoadException} naming the first missing or altered file. */
    public static void verify(Path dir, ModelManifest manifest) {
        for (Map.Entry<String, String> entry : manifest.files().entrySet()) {
            Path file = dir.resolve(entry.getKey()).normalize();
            if (!file.startsWith(dir.normalize()) || !Files.isRegularFile(file)) {
                throw new ModelLoadException("Model file " + entry.getKey() + " listed in model.json is missing");
            }
            String actual = sha256(file);
            if (!actual.equalsIgnoreCase(entry.getValue())) {
                throw new ModelLoadException("Model file " + entry.getKey()
                        + " does not match the SHA-256 in model.json (file altered or from another export)");
            }
        }
    }

    /** SHA-256 of a file as lower-case hex. */
    public static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return Sha256.of(in);
        } catch (IOException e) {
            throw new ModelLoadException("Cannot read model file " + file.getFileName(), e);
        }
    }
}
