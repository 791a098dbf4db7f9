package org.irisseg.task;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
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
 * Every file is written in full to a {@code .tmp} sibling, forced to disk and only then renamed over its
 * target, and the directory is forced after every rename and delete ({@link DurableFiles}), so a crash,
 * a full disk or a file-size limit leaves the old version or the new one, never half of either; a write
 * that fails is a {@link TaskStoreException} and changes nothing. At start-up leftover temporary files
 * are deleted and reference files no task refers to (from a registration killed half-way) are removed.
 * A task file that cannot be read is set aside ({@code .unreadable}), never deleted, and while any is
 * there no reference file is removed: the set-aside task's references may be among them. The summaries
 * of all tasks are kept in memory for listings.
 */
public final class FileTaskStore implements TaskStore {

    private static final Logger log = LoggerFactory.getLogger(FileTaskStore.class);
    private static final Pattern ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final String TMP = ".tmp";
    static final String SET_ASIDE = ".unreadable";

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
        try {
            deleteTemporaryFiles(tasksDir);
            deleteTemporaryFiles(referencesDir);
            try (DirectoryStream<Path> files = Files.newDirectoryStream(tasksDir, "*.json")) {
                for (Path file : files) {
                    try {
                        index(read(file));
                    } catch (RuntimeException e) {
                        setAside(file, e);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open the task store " + tasksDir.getParent().toAbsolutePath(), e);
        }
        int removed = collectUnreferencedFiles();
        log.info("Task store {}: {} tasks loaded, {} unreferenced reference files removed",
                tasksDir.getParent().toAbsolutePath(), summaries.size(), removed);
    }

    /** Renames an unreadable task file to a name of its own (an earlier set-aside file is never replaced). */
    private void setAside(Path file, RuntimeException cause) throws IOException {
        Path aside = file.resolveSibling(file.getFileName() + SET_ASIDE);
        if (Files.exists(aside)) {
            aside = file.resolveSibling(file.getFileName() + "." + UUID.randomUUID() + SET_ASIDE);
        }
        DurableFiles.moveToNewName(file, aside);
        log.error("Task file {} is unreadable ({}); set aside as {}, and its reference files are kept",
                file.getFileName(), cause.getClass().getSimpleName(), aside.getFileName());
    }

    @Override
    public void save(Task task) {
        requireId(task.id());
        byte[] bytes = json.writeValueAsBytes(TaskDocument.of(task));
        synchronized (writeLock) {
            try {
                writeAtomically(tasksDir.resolve(task.id() + ".json"), bytes);
            } catch (IOException e) {
                throw new TaskStoreException("Cannot write task " + task.id() + " (" + bytes.length + " bytes): "
                        + e.getMessage() + "; the stored version is unchanged", e);
            }
            index(task);
            task.references().forEach(r -> {
                pendingFiles.remove(r.imageSha256());
                pendingFiles.remove(r.maskSha256());
            });
        }
    }

    @Override
    public Optional<Task> addReferences(String id, String modelVersion, List<TaskReference> added) {
        synchronized (writeLock) {
            Optional<Task> stored = find(id);
            if (stored.isEmpty()) {
                return stored;
            }
            Task task = stored.get();
            if (!task.modelVersion().equals(modelVersion)) {
                throw new TaskChangedException(id, modelVersion, task.modelVersion());
            }
            Task grown = task.withReferences(added);
            save(grown);
            return Optional.of(grown);
        }
    }

    @Override
    public boolean replace(Task previous, Task next) {
        synchronized (writeLock) {
            Optional<Task> stored = find(previous.id());
            if (stored.isEmpty() || !stored.get().modelVersion().equals(previous.modelVersion())
                    || stored.get().references().size() != previous.references().size()) {
                return false;
            }
            save(next);
            return true;
        }
    }

    /** One process writes this store, so its tasks only change through it: a constant while a task exists. */
    @Override
    public OptionalLong revision(String id) {
        return summaries.containsKey(id) ? OptionalLong.of(0) : OptionalLong.empty();
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
            boolean deleted;
            try {
                deleted = DurableFiles.delete(tasksDir.resolve(id + ".json"));
            } catch (IOException e) {
                throw new TaskStoreException("Cannot delete task " + id + ": " + e.getMessage(), e);
            }
            summaries.remove(id);
            filesByTask.remove(id);
            collectUnreferencedFiles();
            return deleted;
        }
    }

    @Override
    public String putReferenceFile(InputStream content) {
        Path tmp = referencesDir.resolve(UUID.randomUUID() + TMP);
        try {
            try {
                MessageDigest digest = Sha256.newDigest();
                DurableFiles.copyNew(content, tmp, out -> new DigestOutputStream(out, digest));
                String sha = Sha256.hex(digest);
                synchronized (writeLock) {
                    pendingFiles.add(sha);
                    Path target = referencesDir.resolve(sha + ".nii");
                    if (!Files.exists(target)) {
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

    /**
     * Removes reference files that no task and no registration in progress refers to; none while a task
     * file is set aside, whose references are unknown. Returns how many were removed.
     */
    private int collectUnreferencedFiles() {
        try {
            List<String> setAside = setAsideFiles();
            if (!setAside.isEmpty()) {
                log.warn("{} task file(s) set aside as unreadable in {} ({}): unreferenced reference files are kept"
                        + " until they are repaired or removed", setAside.size(), tasksDir.toAbsolutePath(),
                        String.join(", ", setAside));
                return 0;
            }
            Set<String> used = new HashSet<>(pendingFiles);
            filesByTask.values().forEach(used::addAll);
            int removed = 0;
            try (DirectoryStream<Path> files = Files.newDirectoryStream(referencesDir, "*.nii")) {
                for (Path file : files) {
                    String name = file.getFileName().toString();
                    if (!used.contains(name.substring(0, name.length() - 4)) && Files.deleteIfExists(file)) {
                        removed++;
                    }
                }
            }
            if (removed > 0) {
                DurableFiles.forceDirectory(referencesDir);
            }
            return removed;
        } catch (IOException e) {
            log.warn("Could not clean unreferenced reference files: {}", e.getMessage());
            return 0;
        }
    }

    private List<String> setAsideFiles() throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(tasksDir, "*" + SET_ASIDE)) {
            files.forEach(f -> names.add(f.getFileName().toString()));
        }
        return names;
    }

    private static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + "." + UUID.randomUUID() + TMP);
        try {
            DurableFiles.writeNew(tmp, bytes);
            DurableFiles.move(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void deleteTemporaryFiles(Path dir) throws IOException {
        boolean deleted = false;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + TMP)) {
            for (Path file : files) {
                deleted |= Files.deleteIfExists(file);
            }
        }
        if (deleted) {
            DurableFiles.forceDirectory(dir);
        }
    }

    private static void requireId(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("Task ids are lower-case UUIDs");
        }
    }
}
