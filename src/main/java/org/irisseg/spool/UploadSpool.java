package org.irisseg.spool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fixed folder uploads are spooled to ({@code iris.upload.spool-dir}, 0700), one sub-folder per running
 * process. A process holds an exclusive lock on {@code <folder>.lock} while it runs, which the operating
 * system releases however it ends (SIGKILL and OOM kill included); at start-up every folder whose lock can
 * be taken is a dead process's leftover (a part spooled by a killed request) and is deleted, and so is
 * anything else in the spool that no running process owns. Processes that share the spool (replicas on one
 * host, test contexts in one JVM) never remove each other's folders.
 */
public final class UploadSpool implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(UploadSpool.class);
    private static final String LOCK = ".lock";
    static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private final Path root;
    private final Path dir;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final int swept;

    private UploadSpool(Path root, Path dir, FileChannel lockChannel, FileLock lock, int swept) {
        this.root = root;
        this.dir = dir;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.swept = swept;
    }

    /** Creates (0700) or opens the spool at {@code root}, removes dead processes' leftovers, claims a folder. */
    public static UploadSpool open(Path root) {
        try {
            Path absolute = root.toAbsolutePath();
            createPrivateDirectory(absolute);
            for (int attempt = 0; ; attempt++) {
                String name = UUID.randomUUID().toString();
                Path lockFile = absolute.resolve(name + LOCK);
                FileChannel channel = FileChannel.open(lockFile, Set.of(StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE), fileAttributes(FILE));
                FileLock lock = channel.tryLock();
                // another process's sweep may have taken the new lock file before this process locked it
                if (lock != null && Files.exists(lockFile)) {
                    Path dir = absolute.resolve(name);
                    int swept = sweep(absolute, name);
                    createPrivateDirectory(dir);
                    log.info("Upload spool {}: this process spools to {}; {} leftover entries removed", absolute,
                            dir.getFileName(), swept);
                    return new UploadSpool(absolute, dir, channel, lock, swept);
                }
                channel.close();
                if (attempt > 3) {
                    throw new IOException("cannot claim a folder in the upload spool " + absolute);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open the upload spool " + root.toAbsolutePath() + ": "
                    + e.getMessage(), e);
        }
    }

    /** This process's folder: the multipart location. */
    public Path dir() {
        return dir;
    }

    /** The spool's root folder. */
    public Path root() {
        return root;
    }

    /** How many leftover entries the start-up sweep removed. */
    public int swept() {
        return swept;
    }

    /** A new empty file (0600) in this process's folder, for a volume on its way to the store. */
    public Path newFile(String prefix, String suffix) throws IOException {
        return Files.createTempFile(dir, prefix, suffix, fileAttributes(FILE));
    }

    /** Deletes this process's folder and releases it. */
    @Override
    public void close() {
        try {
            deleteRecursively(dir);
            lock.release();
            lockChannel.close();
            Files.deleteIfExists(root.resolve(dir.getFileName() + LOCK));
        } catch (IOException e) {
            log.warn("Could not remove the upload spool folder {}: {}", dir, e.getMessage());
        }
    }

    /** Removes every entry of the spool that no running process holds; how many. */
    private static int sweep(Path root, String own) throws IOException {
        int removed = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                String owner = name.endsWith(LOCK) ? name.substring(0, name.length() - LOCK.length()) : name;
                if (owner.equals(own) || isHeld(root.resolve(owner + LOCK))) {
                    continue;
                }
                if (deleteRecursively(entry)) {
                    removed++;
                }
            }
        }
        return removed;
    }

    /** Whether a running process holds this lock file (a missing file is held by no one). */
    private static boolean isHeld(Path lockFile) throws IOException {
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            FileLock probe = channel.tryLock();
            if (probe == null) {
                return true;
            }
            probe.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    private static boolean deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
        return true;
    }

    /** Creates the directory 0700, or makes an existing one 0700. */
    static void createPrivateDirectory(Path dir) throws IOException {
        Files.createDirectories(dir, fileAttributes(DIRECTORY));
        if (isPosix()) {
            Files.setPosixFilePermissions(dir, DIRECTORY);
        }
    }

    private static FileAttribute<?>[] fileAttributes(Set<PosixFilePermission> permissions) {
        return isPosix() ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions)}
                : new FileAttribute<?>[0];
    }

    private static boolean isPosix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }
}
