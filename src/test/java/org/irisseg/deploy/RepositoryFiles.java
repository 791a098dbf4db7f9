package org.irisseg.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Files of this repository, resolved from the repository root (Maven runs tests there). */
final class RepositoryFiles {

    private RepositoryFiles() {
    }

    /** The repository root: the working directory, which holds {@code pom.xml}. */
    static Path root() {
        Path root = Path.of("").toAbsolutePath();
        if (!Files.isRegularFile(root.resolve("pom.xml"))) {
            throw new IllegalStateException("tests must run from the repository root, not " + root);
        }
        return root;
    }

    static Path path(String relative) {
        return root().resolve(relative);
    }

    static String read(String relative) {
        try {
            return Files.readString(path(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
