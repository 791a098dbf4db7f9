package org.irisseg.task;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * File operations of the file task store that are complete and durable when they return: every byte
 * written (a short write is retried, a file-size limit or a full disk is an {@link IOException}), the
 * file forced to disk and its length checked before it is renamed over its target, and the directory
 * forced after every rename and delete, so a crash or power loss keeps the old version or the new one.
 * Files are created 0600 and directories 0700 (where the file system has POSIX permissions): the store
 * holds nothing that anyone but the service's own user should read.
 */
final class DurableFiles {

    private DurableFiles() {
    }

    static final Set<PosixFilePermission> PRIVATE_FILE = PosixFilePermissions.fromString("rw-------");
    static final Set<PosixFilePermission> PRIVATE_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<StandardOpenOption> NEW_FILE = Set.of(StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE);

    /** Writes {@code bytes} to the new file {@code tmp} in full and forces it to disk. */
    static void writeNew(Path tmp, byte[] bytes) throws IOException {
        try (FileChannel channel = FileChannel.open(tmp, NEW_FILE, privately(PRIVATE_FILE))) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                if (channel.write(buffer) <= 0) {
                    throw new IOException("No progress writing " + tmp.getFileName() + " ("
                            + buffer.remaining() + " of " + bytes.length + " bytes left)");
                }
            }
            channel.force(true);
            requireLength(channel, bytes.length, tmp);
        }
    }

    /**
     * Copies {@code content} to the new file {@code tmp} in full and forces it to disk.
     *
     * @return the number of bytes written
     */
    static long copyNew(InputStream content, Path tmp, OutputStreamFilter filter) throws IOException {
        try (FileChannel channel = FileChannel.open(tmp, NEW_FILE, privately(PRIVATE_FILE))) {
            // the channel's stream writes each buffer in full or throws
            OutputStream out = filter.wrap(Channels.newOutputStream(channel));
            long copied = content.transferTo(out);
            out.flush();
            channel.force(true);
            requireLength(channel, copied, tmp);
            return copied;
        }
    }

    /** Wraps the stream a copy writes through (e.g. to digest it); must not close or buffer it. */
    @FunctionalInterface
    interface OutputStreamFilter {
        OutputStream wrap(OutputStream out);
    }

    /** Renames atomically over {@code to}, then forces the directory so the rename survives a crash. */
    static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("The store directory's file system cannot rename atomically", e);
        }
        forceDirectory(to.getParent());
    }

    /** Renames to a name that must not exist yet (never replaces a file), then forces the directory. */
    static void moveToNewName(Path from, Path to) throws IOException {
        Files.move(from, to);
        forceDirectory(to.getParent());
    }

    /** Deletes the file if present and forces its directory; true when it existed. */
    static boolean delete(Path file) throws IOException {
        boolean deleted = Files.deleteIfExists(file);
        if (deleted) {
            forceDirectory(file.getParent());
        }
        return deleted;
    }

    /**
     * Forces a directory's entries (renames, creations, deletions) to disk. Platforms that cannot open a
     * directory (Windows) skip it; a failing force on one that can is an {@link IOException}.
     */
    static void forceDirectory(Path dir) throws IOException {
        FileChannel channel;
        try {
            channel = FileChannel.open(dir, StandardOpenOption.READ);
        } catch (AccessDeniedException | UnsupportedOperationException e) {
            return;
        }
        try (channel) {
            channel.force(true);
        }
    }

    /** Creates the directory and any missing parents 0700; an existing one is left as it is. */
    static void createPrivateDirectories(Path dir) throws IOException {
        Files.createDirectories(dir, privately(PRIVATE_DIRECTORY));
    }

    /**
     * Makes a file 0600 or a directory 0700 (files of stores written before their permissions were
     * restricted); true when it changed anything.
     */
    static boolean makePrivate(Path path) throws IOException {
        if (!isPosix()) {
            return false;
        }
        Set<PosixFilePermission> wanted = Files.isDirectory(path) ? PRIVATE_DIRECTORY : PRIVATE_FILE;
        if (Files.getPosixFilePermissions(path).equals(wanted)) {
            return false;
        }
        Files.setPosixFilePermissions(path, wanted);
        return true;
    }

    private static FileAttribute<?>[] privately(Set<PosixFilePermission> permissions) {
        return isPosix() ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions)}
                : new FileAttribute<?>[0];
    }

    private static boolean isPosix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    private static void requireLength(FileChannel channel, long expected, Path file) throws IOException {
        long size = channel.size();
        if (size != expected) {
            throw new IOException(file.getFileName() + " holds " + size + " bytes after writing " + expected);
        }
    }
}
