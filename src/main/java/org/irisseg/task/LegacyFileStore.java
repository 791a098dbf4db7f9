package org.irisseg.task;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.irisseg.nifti.NiftiException;
import org.irisseg.util.Sha256;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the {@link FileTaskStore} scrubs at start-up from a store an earlier version wrote: reference files
 * kept byte for byte as uploaded ({@code references/<sha256>.nii}, header text fields and extensions
 * included), and files and directories created 0644/0755.
 */
final class LegacyFileStore {

    private static final Logger log = LoggerFactory.getLogger(LegacyFileStore.class);
    /** Reference files kept as uploaded by earlier versions. */
    static final String RAW = ".nii";

    private LegacyFileStore() {
    }

    /** Writes a file durably and atomically. */
    @FunctionalInterface
    interface Writer {
        void write(Path target, byte[] bytes) throws IOException;
    }

    /**
     * @param files     every raw file found
     * @param rewritten SHA-256 of a raw file -> SHA-256 of its re-written version, for those that decoded
     */
    record RawFiles(List<Path> files, Map<String, String> rewritten) {
    }

    /**
     * Decodes every raw file and writes its re-written version ({@link ReferenceRewriter}) next to it as
     * {@code <sha256>.nii.gz}; the raw files stay for the caller to remove once tasks point at the new ones.
     * A raw file that cannot be decoded gets no new version (it is removed all the same: it may hold
     * identifying header text; its task keeps its embeddings and can no longer be re-encoded).
     */
    static RawFiles rewriteRawFiles(Path referencesDir, ReferenceRewriter rewriter, Writer writer)
            throws IOException {
        List<Path> raw = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(referencesDir, "*" + RAW)) {
            files.forEach(raw::add);
        }
        Map<String, String> rewritten = new HashMap<>();
        for (Path file : raw) {
            try (InputStream in = Files.newInputStream(file)) {
                byte[] bytes = rewriter.rewrite(in);
                String kept = Sha256.of(new ByteArrayInputStream(bytes));
                Path target = referencesDir.resolve(kept + FileReferenceFiles.KEPT);
                if (!Files.exists(target)) {
                    writer.write(target, bytes);
                }
                rewritten.put(FileReferenceFiles.stem(file), kept);
            } catch (NiftiException | UncheckedIOException e) {
                log.error("Reference file {} kept as uploaded cannot be decoded ({}); it is removed, and its task can"
                        + " no longer be re-encoded by another model", file.getFileName(), e.getMessage());
            }
        }
        return new RawFiles(raw, rewritten);
    }

    /** Files 0600 and directories 0700 in these directories and the directories themselves; how many changed. */
    static int restrictPermissions(List<Path> dirs) throws IOException {
        int changed = 0;
        for (Path dir : dirs) {
            changed += DurableFiles.makePrivate(dir) ? 1 : 0;
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                for (Path file : files) {
                    changed += DurableFiles.makePrivate(file) ? 1 : 0;
                }
            }
        }
        return changed;
    }
}
