package org.irisseg.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Assumptions;

/**
 * Where tests find the shared data and the exported model. Paths resolve from the repository root
 * (Maven's working directory): {@code ../shared/data} and {@code models/iris-small}; the model directory
 * can be overridden with {@code -Diris.test.model-dir=...}.
 */
public final class TestPaths {

    private TestPaths() {
    }

    public static Path repositoryRoot() {
        return Path.of("").toAbsolutePath();
    }

    public static Path sharedData() {
        return repositoryRoot().resolve("../shared/data").normalize();
    }

    public static Path hippocampus() {
        return sharedData().resolve("hippocampus");
    }

    /** Skips the calling test when the hippocampus data set is absent. */
    public static Path assumeHippocampus() {
        Path dir = hippocampus();
        Assumptions.assumeTrue(Files.isDirectory(dir.resolve("imagesTr")),
                "shared data not found at " + dir + " (tests read ../shared/data from the repository root)");
        return dir;
    }

    public static Path hippocampusImage(String subject) {
        return hippocampus().resolve("imagesTr").resolve(subject + ".nii.gz");
    }

    public static Path hippocampusLabel(String subject) {
        return hippocampus().resolve("labelsTr").resolve(subject + ".nii.gz");
    }

    public static Path modelDir() {
        return Optional.ofNullable(System.getProperty("iris.test.model-dir"))
                .map(Path::of)
                .orElse(repositoryRoot().resolve("models/iris-small"))
                .toAbsolutePath();
    }

    /** Skips the calling test when no exported model is present. */
    public static Path assumeModel() {
        Path dir = modelDir();
        Assumptions.assumeTrue(Files.isRegularFile(dir.resolve("model.json")),
                "no exported model at " + dir + " (run python -m irisseg.export)");
        return dir;
    }
}
