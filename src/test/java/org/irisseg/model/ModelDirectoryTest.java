package org.irisseg.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where a relative iris.model.dir is found: working directory, next to the jar, the jar folder's parent. */
class ModelDirectoryTest {

    private static final Path DEFAULT = Path.of("models/iris-small");

    @TempDir
    Path root;

    private Path model(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("model.json"), "{}");
        return dir;
    }

    @Test
    void anAbsoluteDirectoryIsTakenAsItIs() throws IOException {
        Path dir = model(root.resolve("elsewhere/model"));
        assertEquals(dir, ModelDirectory.resolve(dir, root.resolve("cwd"), root.resolve("app")));
    }

    @Test
    void theWorkingDirectoryComesFirst() throws IOException {
        Path inWorkingDirectory = model(root.resolve("cwd").resolve(DEFAULT));
        model(root.resolve("app").resolve(DEFAULT));
        assertEquals(inWorkingDirectory, ModelDirectory.resolve(DEFAULT, root.resolve("cwd"), root.resolve("app")));
    }

    @Test
    void aJarStartedFromAnotherFolderFindsTheModelNextToIt() throws IOException {
        Path nextToJar = model(root.resolve("opt/iris").resolve(DEFAULT));
        assertEquals(nextToJar, ModelDirectory.resolve(DEFAULT, root.resolve("home"), root.resolve("opt/iris")));
    }

    @Test
    void aJarInTheBuildFolderFindsTheProjectsModel() throws IOException {
        Path project = root.resolve("project");
        Path projectModel = model(project.resolve(DEFAULT));
        assertEquals(projectModel, ModelDirectory.resolve(DEFAULT, root.resolve("home"), project.resolve("target")));
    }

    @Test
    void noModelAnywhereNamesEveryPathLookedIn() {
        ModelDirectory.NotFound e = assertThrows(ModelDirectory.NotFound.class,
                () -> ModelDirectory.resolve(DEFAULT, root.resolve("home"), root.resolve("project/target")));
        List<Path> expected = List.of(root.resolve("home").resolve(DEFAULT),
                root.resolve("project/target").resolve(DEFAULT), root.resolve("project").resolve(DEFAULT));
        assertEquals(expected, e.lookedIn());
        for (Path path : expected) {
            assertTrue(e.getMessage().contains(path.toString()), e.getMessage());
        }
    }

    @Test
    void theStartUpReportSaysWhatIsMissingAndHowToFixIt() {
        ModelDirectory.NotFound e = assertThrows(ModelDirectory.NotFound.class,
                () -> ModelDirectory.resolve(root.resolve("absent"), root, root));
        var analysis = new ModelDirectoryFailureAnalyzer().analyze(new IllegalStateException("start failed", e));
        assertTrue(analysis.getDescription().contains(root.resolve("absent").toString()), analysis.getDescription());
        assertTrue(analysis.getAction().contains("IRIS_MODEL_DIR"), analysis.getAction());
    }
}
