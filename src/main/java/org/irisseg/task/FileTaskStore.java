package org.irisseg.task;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.regex.Pattern;

import org.irisseg.nifti.NiftiLimits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@link TaskStore} on a local directory (one replica):
 * <pre>
 *   root/tasks/&lt;id&gt;.json               one file per task, embeddings included
 *   root/references/&lt;sha256&gt;.nii.gz     kept reference volumes, re-written from their decoded voxels
 *                                      (geometry and voxels only), under the SHA-256 of the kept file
 * </pre>
 * Every file is created 0600 and every directory 0700; files of an older store are made so at start-up.
 * Every file is written in full to a {@code .tmp} sibling, forced to disk and only then renamed over its
 * target, and the directory is forced after every rename and delete ({@link DurableFiles}), so a crash,
 * a full disk or a file-size limit leaves the old version or the new one, never half of either; a write
 * that fails is a {@link TaskStoreException} and changes nothing. At start-up leftover temporary files
 * are deleted and reference files no task refers to (from a registration killed half-way) are removed.
 * A task file that cannot be read is set aside ({@code .unreadable}), never deleted, and while any is
 * there no reference file is removed: the set-aside task's references may be among them (except those of a
 * deleted task: deleting a task removes its kept files at once, unless another task uses them). The
 * summaries of all tasks are kept in memory for listings, ordered by tenant, creation time and id, so a
 * page of one tenant's tasks is read without looking at any other tenant's.
 *
 * <p>A store written by an earlier version is scrubbed at start-up ({@link #scrubLegacy}): reference
 * files kept as uploaded ({@code <sha256>.nii}, header text and extensions included) are decoded, re-written
 * and their tasks pointed at the re-written files; task files that still name uploaded files are written
 * again without the names. With {@code reference-retention} set, kept files older than it are removed at
 * start-up and by {@link #removeExpiredReferenceFiles()}; their tasks keep their embeddings.
 */
public final class FileTaskStore implements TaskStore {

    private static final Logger log = LoggerFactory.getLogger(FileTaskStore.class);
    private static final Pattern ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final String TMP = FileReferenceFiles.TMP;
    static final String SET_ASIDE = ".unreadable";

    private final Path tasksDir;
    private final FileReferenceFiles references;
    private final JsonMapper json;
    private final Map<String, TaskSummary> summaries = new ConcurrentHashMap<>();
    private final ConcurrentSkipListMap<ListingKey, TaskSummary> listing = new ConcurrentSkipListMap<>();
    private final Map<String, Set<String>> filesByTask = new ConcurrentHashMap<>();
    private final Object writeLock = new Object();
    private final ReferenceRewriter rewriter;

    /** A store with default NIfTI limits for re-writing legacy files, keeping references as long as their tasks. */
    public FileTaskStore(Path root, JsonMapper json) {
        this(root, json, new ReferenceRewriter(NiftiLimits.defaults()), null);
    }

    /**
     * @param rewriter  re-writes reference files an earlier version kept as uploaded
     * @param retention how long a kept reference file is kept after it was last kept; null: as long as a
     *                  task refers to it
     */
    public FileTaskStore(Path root, JsonMapper json, ReferenceRewriter rewriter, Duration retention) {
        this.tasksDir = root.resolve("tasks");
        this.references = new FileReferenceFiles(root.resolve("references"), retention, writeLock);
        this.json = json;
        this.rewriter = rewriter;
        try {
            DurableFiles.createPrivateDirectories(tasksDir);
            DurableFiles.createPrivateDirectories(references.dir());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the task store in " + root.toAbsolutePath(), e);
        }
        recover();
    }

    /**
     * Start-up: drop temporary files, restrict permissions, index complete tasks, scrub what an earlier
     * version kept, remove expired and unreferenced reference files.
     */
    private void recover() {
        Set<String> withFileNames = new HashSet<>();
        int restricted;
        try {
            deleteTemporaryFiles(tasksDir);
            deleteTemporaryFiles(references.dir());
            restricted = LegacyFileStore.restrictPermissions(List.of(tasksDir, references.dir()));
            try (DirectoryStream<Path> files = Files.newDirectoryStream(tasksDir, "*.json")) {
                for (Path file : files) {
                    try {
                        TaskDocument document = readDocument(file);
                        Task task = document.toTask();
                        index(task);
                        if (document.holdsFileNames()) {
                            withFileNames.add(task.id());
                        }
                    } catch (RuntimeException e) {
                        setAside(file, e);
                    }
                }
            }
            scrubLegacy(withFileNames);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open the task store " + tasksDir.getParent().toAbsolutePath(), e);
        }
        int expired = removeExpiredReferenceFiles();
        int removed = collectUnreferencedFiles();
        log.info("Task store {}: {} tasks loaded, {} expired and {} unreferenced reference files removed,"
                + " {} files made private", tasksDir.getParent().toAbsolutePath(), summaries.size(), expired, removed,
                restricted);
    }

    /**
     * Points the tasks at the re-written versions of the reference files an earlier version kept as uploaded
     * ({@link LegacyFileStore#rewriteRawFiles}) and writes task files that still name uploaded files again
     * without the names; then the raw files go. Each step is durable before the next, so a crash part-way is
     * finished at the next start.
     */
    private void scrubLegacy(Set<String> withFileNames) throws IOException {
        LegacyFileStore.RawFiles raw = LegacyFileStore.rewriteRawFiles(references.dir(), rewriter,
                (target, bytes) -> writeAtomically(target, bytes));
        int tasks = 0;
        for (String id : List.copyOf(summaries.keySet())) {
            Set<String> files = filesByTask.getOrDefault(id, Set.of());
            if (withFileNames.contains(id) || files.stream().anyMatch(raw.rewritten()::containsKey)) {
                save(find(id).orElseThrow().withFilesRenamed(raw.rewritten()));
                tasks++;
            }
        }
        for (Path file : raw.files()) {
            DurableFiles.delete(file);
        }
        if (!raw.files().isEmpty() || tasks > 0) {
            log.info("Task store scrubbed: {} reference files kept as uploaded re-written from their decoded volumes"
                    + " ({} could not be decoded and were removed), {} task files written again without upload file"
                    + " names", raw.rewritten().size(), raw.files().size() - raw.rewritten().size(), tasks);
        }
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
            references.settled(filesByTask.get(task.id()));
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
    public List<TaskSummary> list(String tenant, long offset, int limit) {
        return ofTenant(tenant).values().stream().skip(offset).limit(limit).toList();
    }

    @Override
    public long count(String tenant) {
        return ofTenant(tenant).size();
    }

    private Map<ListingKey, TaskSummary> ofTenant(String tenant) {
        return listing.subMap(new ListingKey(tenant, Instant.MIN, ""), true, new ListingKey(tenant, Instant.MAX, ""),
                true);
    }

    /** Where a task stands in listings: by tenant, then oldest first, then by id. */
    private record ListingKey(String tenant, Instant createdAt, String id) implements Comparable<ListingKey> {

        private static final Comparator<ListingKey> ORDER = Comparator.comparing(ListingKey::tenant)
                .thenComparing(ListingKey::createdAt).thenComparing(ListingKey::id);

        static ListingKey of(TaskSummary task) {
            return new ListingKey(task.tenant(), task.createdAt(), task.id());
        }

        @Override
        public int compareTo(ListingKey other) {
            return ORDER.compare(this, other);
        }
    }

    /** Removes the task, then at once its kept files that no other task and no registration in progress uses. */
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
            TaskSummary removed = summaries.remove(id);
            if (removed != null) {
                listing.remove(ListingKey.of(removed));
            }
            Set<String> own = filesByTask.remove(id);
            if (own != null) {
                Set<String> used = usedFiles();
                own.stream().filter(sha -> !used.contains(sha)).forEach(references::deleteQuietly);
            }
            collectUnreferencedFiles();
            return deleted;
        }
    }

    /**
     * Removes kept reference files last kept longer ago than the retention (none without one); how many.
     * Their tasks keep their embeddings and, like tasks whose files were never kept, cannot be re-encoded.
     */
    @Override
    public int removeExpiredReferenceFiles() {
        return references.removeExpired();
    }

    @Override
    public String putReferenceFile(InputStream content) {
        return references.put(content);
    }

    @Override
    public Optional<InputStream> openReferenceFile(String sha256) throws IOException {
        return references.open(sha256);
    }

    private Task read(Path file) {
        return readDocument(file).toTask();
    }

    private TaskDocument readDocument(Path file) {
        try {
            return json.readValue(Files.readAllBytes(file), TaskDocument.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (JacksonException e) {
            throw new IllegalStateException("Task file " + file.getFileName() + " is not a task document", e);
        }
    }

    private void index(Task task) {
        TaskSummary summary = task.summary();
        summaries.put(task.id(), summary);
        listing.put(ListingKey.of(summary), summary);
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
            return references.removeAllBut(usedFiles());
        } catch (IOException e) {
            log.warn("Could not clean unreferenced reference files: {}", e.getMessage());
            return 0;
        }
    }

    /** Files a task or a registration in progress refers to. */
    private Set<String> usedFiles() {
        Set<String> used = new HashSet<>(references.pending());
        filesByTask.values().forEach(used::addAll);
        return used;
    }

    private List<String> setAsideFiles() throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(tasksDir, "*" + SET_ASIDE)) {
            files.forEach(f -> names.add(f.getFileName().toString()));
        }
        return names;
    }

    static void writeAtomically(Path target, byte[] bytes) throws IOException {
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
