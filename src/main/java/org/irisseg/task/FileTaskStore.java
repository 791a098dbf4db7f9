package org.irisseg.task;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import org.irisseg.util.Sha256;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@link TaskStore} on a local directory (one replica):
 * <pre>
 *   root/tasks/&lt;id&gt;.json            one file per task, embeddings included
 *   root/references/&lt;sha256&gt;.nii     kept reference files, content-addressed
 * </pre>
 * Every file is written to a {@code .tmp} sibling, flushed to disk and renamed over its target, so a
 * crash leaves the old version or the new one, never half of either. At start-up leftover temporary
 * files are deleted and reference files no task refers to (from a registration killed half-way) are
 * removed. The summaries of all tasks are kept in memory for listings.
 */
public final class FileTaskStore implements TaskStore {

    private static final Logger log = LoggerFactory.getLogger(FileTaskStore.class);
    private static final Pattern ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final String TMP = ".tmp";

    private final Path tasksDir;
    private final Path referencesDir;
    private final JsonMapper json;
    private final Map<String, TaskSummary> summaries = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> filesByTask = new ConcurrentHashMap<>();
    private final Set<String> pendingFiles = ConcurrentHashMap.newKeySet();
    private final Object writeLock = new Object();

    public FileTaskStore(Path root, JsonMapper json) {
        this.tasksDir = root.resolve("tasks");
        this.referencesDir = root.resolve("references");
        this.json = json;
        try {
            Files.createDirectories(tasksDir);
            Files.createDirectories(referencesDir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the task store in " + root.toAbsolutePath(), e);
        }
        recover();
    }

    /** Start-up: drop temporary files, index complete tasks, remove unreferenced reference files. */
    private void recover() {
        deleteTemporaryFiles(tasksDir);
        deleteTemporaryFiles(referencesDir);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(tasksDir, "*.json")) {
            for (Path file : files) {
                try {
                    Task task = read(file);
                    index(task);
                } catch (RuntimeException e) {
                    Path aside = file.resolveSibling(file.getFileName() + ".unreadable");
                    Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
                    log.error("Task file {} is unreadable ({}); moved aside to {}", file.getFileName(),
                            e.getClass().getSimpleName(), aside.getFileName());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the task store " + tasksDir.toAbsolutePath(), e);
        }
        int removed = collectUnreferencedFiles();
        log.info("Task store {}: {} tasks loaded, {} unreferenced reference files removed",
                tasksDir.getParent().toAbsolutePath(), summaries.size(), removed);
    }

    @Override
    public void save(Task task) {
        requireId(task.id());
        byte[] bytes = json.writeValueAsBytes(TaskDocument.of(task));
        synchronized (writeLock) {
            try {
                writeAtomically(tasksDir.resolve(task.id() + ".json"), bytes);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot write task " + task.id(), e);
            }
            index(task);
            task.references().forEach(r -> {
                pendingFiles.remove(r.imageSha256());
                pendingFiles.remove(r.maskSha256());
            });
        }
    }

    @Override
    public Optional<Task> find(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            return Optional.empty();
        }
        Path file = tasksDir.resolve(id + ".json");
        try {
            return Optional.of(read(file));
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof NoSuchFileException) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public List<TaskSummary> list() {
        return summaries.values().stream()
                .sorted(Comparator.comparing(TaskSummary::createdAt).thenComparing(TaskSummary::id))
                .toList();
    }

    @Override
    public boolean delete(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            return false;
        }
        synchronized (writeLock) {
            try {
                boolean deleted = Files.deleteIfExists(tasksDir.resolve(id + ".json"));
                summaries.remove(id);
                filesByTask.remove(id);
                collectUnreferencedFiles();
                return deleted;
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot delete task " + id, e);
            }
        }
    }

    @Override
    public String putReferenceFile(InputStream content) throws IOException {
        Path tmp = referencesDir.resolve(UUID.randomUUID() + TMP);
        try {
            MessageDigest digest = Sha256.newDigest();
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(tmp), digest)) {
                content.transferTo(out);
            }
            force(tmp);
            String sha = Sha256.hex(digest);
            synchronized (writeLock) {
                pendingFiles.add(sha);
                Path target = referencesDir.resolve(sha + ".nii");
                if (Files.exists(target)) {
                    Files.delete(tmp);
                } else {
                    move(tmp, target);
                }
            }
            return sha;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public Optional<InputStream> openReferenceFile(String sha256) throws IOException {
        if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            return Optional.empty();
        }
        Path file = referencesDir.resolve(sha256 + ".nii");
        return Files.isRegularFile(file) ? Optional.of(Files.newInputStream(file)) : Optional.empty();
    }

    private Task read(Path file) {
        try {
            return json.readValue(Files.readAllBytes(file), TaskDocument.class).toTask();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (JacksonException e) {
            throw new IllegalStateException("Task file " + file.getFileName() + " is not a task document", e);
        }
    }

    private void index(Task task) {
        summaries.put(task.id(), task.summary());
        Set<String> files = new HashSet<>();
        task.references().forEach(r -> {
            files.add(r.imageSha256());
            files.add(r.maskSha256());
        });
        filesByTask.put(task.id(), files);
    }

    private int collectUnreferencedFiles() {
        Set<String> used = new HashSet<>(pendingFiles);
        filesByTask.values().forEach(used::addAll);
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(referencesDir, "*.nii")) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (!used.contains(name.substring(0, name.length() - 4))) {
                    Files.deleteIfExists(file);
                    removed++;
                }
            }
        } catch (IOException e) {
            log.warn("Could not clean unreferenced reference files: {}", e.getMessage());
        }
        return removed;
    }

    private static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + "." + UUID.randomUUID() + TMP);
        try {
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                channel.write(java.nio.ByteBuffer.wrap(bytes));
                channel.force(true);
            }
            move(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("The store directory's file system cannot rename atomically", e);
        }
        forceDirectory(to.getParent());
    }

    private static void force(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
    }

    /** Makes a rename durable; not every platform lets a directory be opened, which is fine. */
    private static void forceDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // best effort
        }
    }

    private static void deleteTemporaryFiles(Path dir) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + TMP)) {
            for (Path file : files) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot clean temporary files in " + dir.toAbsolutePath(), e);
        }
    }

    private static void requireId(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("Task ids are lower-case UUIDs");
        }
    }
}
