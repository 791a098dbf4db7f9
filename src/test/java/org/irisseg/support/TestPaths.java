package org.irisseg.support;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

import org.junit.jupiter.api.Assumptions;

/**
 * Where tests find the shared data and the exported model. Paths resolve from the repository root
 * (Maven's working directory): {@code ../shared/data} and {@code models/iris-small}; the model directory
 * can be overridden with {@code -Diris.test.model-dir=...}.
 *
 * <p>Tests that need the shared data skip where it is absent, unless {@value #REQUIRE_DATA} (environment)
 * or {@code -Diris.require-data} is set to anything but empty, {@code 0} or {@code false}: then a missing
 * data set fails them (CI sets it, so data that went missing cannot pass as skipped tests).
 */
public final class TestPaths {

    /** The switch that turns skips for missing data into failures; the Python tests honour it too. */
    public static final String REQUIRE_DATA = "IRIS_REQUIRE_DATA";

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

    /** Whether missing data fails tests instead of skipping them. */
    public static boolean dataRequired() {
        return isRequired(Optional.ofNullable(System.getProperty("iris.require-data"))
                .orElse(System.getenv(REQUIRE_DATA)));
    }

    /** A value of the switch means "required" unless it is absent, blank, {@code 0} or {@code false}. */
    static boolean isRequired(String value) {
        if (value == null || value.isBlank()) {
            return false;
        }
        String v = value.strip().toLowerCase(Locale.ROOT);
        return !v.equals("0") && !v.equals("false");
    }

    /** Skips the calling test when {@code present} is false, or fails it when data is required. */
    public static void assumeData(boolean present, String missing) {
        if (!present && dataRequired()) {
            fail(missing + " (" + REQUIRE_DATA + " is set: missing data fails instead of skipping)");
        }
        Assumptions.assumeTrue(present, missing);
    }

    /** The shared data directory; skips (or fails, see {@link #dataRequired()}) when it is absent. */
    public static Path assumeSharedData() {
        Path dir = sharedData();
        assumeData(Files.isDirectory(dir), "shared data not found at " + dir
                + " (tests read ../shared/data from the repository root)");
        return dir;
    }

    /** The hippocampus data set; skips (or fails, see {@link #dataRequired()}) when it is absent. */
    public static Path assumeHippocampus() {
        Path dir = hippocampus();
        assumeData(Files.isDirectory(dir.resolve("imagesTr")), "shared data not found at " + dir
                + " (tests read ../shared/data from the repository root)");
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
