package org.irisseg.task;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import org.irisseg.util.Sha256;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kept reference volumes of a {@link FileTaskStore}: {@code <sha256>.nii.gz} in one directory, named by
 * the SHA-256 of the kept (re-written) file, each written to a temporary sibling, forced and renamed
 * ({@link DurableFiles}). A file kept by a registration in progress is <i>pending</i> until a saved task
 * refers to it, so that collecting unreferenced files never removes it. Changes run under the store's
 * write lock, which this class shares.
 */
final class FileReferenceFiles {

    private static final Logger log = LoggerFactory.getLogger(FileReferenceFiles.class);
    static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    /** Kept reference volumes, re-written. */
    static final String KEPT = ".nii.gz";
    static final String TMP = ".tmp";

    private final Path dir;
    private final Duration retention;
    private final Object writeLock;
    private final Set<String> pending = ConcurrentHashMap.newKeySet();

    /**
     * @param retention how long a file is kept after it was last kept; null: as long as a task refers to it
     * @param writeLock the store's lock, held by every change here
     */
    FileReferenceFiles(Path dir, Duration retention, Object writeLock) {
        this.dir = dir;
        this.retention = retention;
        this.writeLock = writeLock;
    }

    Path dir() {
        return dir;
    }

    /** Keeps a file (pending until a saved task refers to it); its SHA-256. A file kept again starts its retention anew. */
    String put(InputStream content) {
        Path tmp = dir.resolve(UUID.randomUUID() + TMP);
        try {
            try {
                MessageDigest digest = Sha256.newDigest();
                DurableFiles.copyNew(content, tmp, out -> new DigestOutputStream(out, digest));
                String sha = Sha256.hex(digest);
                synchronized (writeLock) {
                    pending.add(sha);
                    Path target = dir.resolve(sha + KEPT);
                    if (Files.exists(target)) {
                        Files.setLastModifiedTime(target, FileTime.from(Instant.now()));
                    } else {
                        DurableFiles.move(tmp, target);
                    }
                }
                return sha;
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new TaskStoreException("Cannot keep a reference file: " + e.getMessage(), e);
        }
    }

    Optional<InputStream> open(String sha256) throws IOException {
        if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            return Optional.empty();
        }
        Path file = dir.resolve(sha256 + KEPT);
        return Files.isRegularFile(file) ? Optional.of(Files.newInputStream(file)) : Optional.empty();
    }

    /** A saved task refers to these files: they are no longer pending. */
    void settled(Collection<String> shas) {
        pending.removeAll(shas);
    }

    /** Files kept by registrations in progress. */
    Set<String> pending() {
        return Set.copyOf(pending);
    }

    /** Removes the files last kept longer ago than the retention (none without one); how many. */
    int removeExpired() {
        if (retention == null) {
            return 0;
        }
        FileTime cutoff = FileTime.from(Instant.now().minus(retention));
        int removed = 0;
        synchronized (writeLock) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + KEPT)) {
                for (Path file : files) {
                    if (Files.getLastModifiedTime(file).compareTo(cutoff) < 0 && Files.deleteIfExists(file)) {
                        removed++;
                    }
                }
                if (removed > 0) {
                    DurableFiles.forceDirectory(dir);
                }
            } catch (IOException e) {
                log.warn("Could not remove expired reference files: {}", e.getMessage());
            }
        }
        if (removed > 0) {
            log.info("{} kept reference files older than the retention of {} removed", removed, retention);
        }
        return removed;
    }

    /** Removes every file whose SHA-256 is not in {@code used}; how many. */
    int removeAllBut(Set<String> used) throws IOException {
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + KEPT)) {
            for (Path file : files) {
                if (!used.contains(stem(file)) && Files.deleteIfExists(file)) {
                    removed++;
                }
            }
        }
        if (removed > 0) {
            DurableFiles.forceDirectory(dir);
        }
        return removed;
    }

    /** Removes one file, logging (not throwing) a failure. */
    void deleteQuietly(String sha256) {
        if (!SHA256.matcher(sha256).matches()) {
            return;
        }
        Path file = dir.resolve(sha256 + KEPT);
        try {
            DurableFiles.delete(file);
        } catch (IOException e) {
            log.warn("Could not remove reference file {}: {}", file.getFileName(), e.getMessage());
        }
    }

    /** The SHA-256 a reference file is named by. */
    static String stem(Path file) {
        String name = file.getFileName().toString();
        int dot = name.indexOf('.');
        return dot < 0 ? name : name.substring(0, dot);
    }
}
