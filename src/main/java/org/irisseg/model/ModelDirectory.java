package org.irisseg.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the model directory named by {@code iris.model.dir}. An absolute path is taken as it is. A
 * relative one (the default {@code models/iris-small}) is looked for in the working directory, then next
 * to the jar, then in the jar folder's parent (the project folder when the jar is
 * {@code target/iris-service.jar}), so the jar finds its model from whatever folder it is started in.
 */
public final class ModelDirectory {

    private ModelDirectory() {
    }

    /**
     * The first candidate holding {@code model.json}.
     *
     * @throws NotFound naming every path looked in
     */
    public static Path resolve(Path configured, Path workingDirectory, Path jarDirectory) {
        List<Path> candidates = candidates(configured, workingDirectory, jarDirectory);
        for (Path candidate : candidates) {
            if (Files.isRegularFile(candidate.resolve(ModelManifest.FILE_NAME))) {
                return candidate;
            }
        }
        throw new NotFound(configured, candidates);
    }

    static List<Path> candidates(Path configured, Path workingDirectory, Path jarDirectory) {
        List<Path> out = new ArrayList<>();
        if (configured.isAbsolute()) {
            out.add(configured.normalize());
            return out;
        }
        for (Path base : new Path[] {workingDirectory, jarDirectory, jarDirectory.getParent()}) {
            if (base != null) {
                Path candidate = base.toAbsolutePath().resolve(configured).normalize();
                if (!out.contains(candidate)) {
                    out.add(candidate);
                }
            }
        }
        return out;
    }

    /** No model directory: the service cannot start. */
    public static final class NotFound extends ModelLoadException {

        private static final long serialVersionUID = 1L;

        private final transient List<Path> lookedIn;

        NotFound(Path configured, List<Path> lookedIn) {
            super("No exported model (" + ModelManifest.FILE_NAME + ") for iris.model.dir '" + configured
                    + "': looked in " + lookedIn);
            this.lookedIn = List.copyOf(lookedIn);
        }

        /** The absolute paths searched, in order. */
        public List<Path> lookedIn() {
            return lookedIn;
        }
    }
}
