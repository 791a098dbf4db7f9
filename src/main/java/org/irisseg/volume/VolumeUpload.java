package org.irisseg.volume;

import java.io.IOException;
import java.io.InputStream;

/**
 * An uploaded NIfTI file, spooled to a temporary file by the servlet container (deleted after the
 * request). {@link #open()} may be called more than once.
 *
 * @param filename the client's file name, for messages and display only (never trusted as a path)
 * @param content  opens the content anew
 * @param sha256   the content's SHA-256 (lower-case hex) where it was computed on arrival, else null
 */
public record VolumeUpload(String filename, Content content, String sha256) {

    /** An upload whose digest is not known yet. */
    public VolumeUpload(String filename, Content content) {
        this(filename, content, null);
    }

    /** Opens the upload's bytes. */
    @FunctionalInterface
    public interface Content {
        InputStream open() throws IOException;
    }

    public InputStream open() throws IOException {
        return content.open();
    }

    /** The file name reduced to a safe display form. */
    public String displayName() {
        if (filename == null || filename.isBlank()) {
            return "upload";
        }
        String base = filename.replace('\\', '/');
        base = base.substring(base.lastIndexOf('/') + 1);
        base = base.replaceAll("[^A-Za-z0-9._-]", "_");
        return base.length() > 120 ? base.substring(0, 120) : base;
    }
}
