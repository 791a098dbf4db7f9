package org.irisseg.task;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import org.irisseg.nifti.NiftiLimits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * {@link TaskStore} on PostgreSQL, shared by any number of replicas (schema: {@code db/migration}).
 * Every change is one transaction that first locks the task's row, so concurrent changes to one task
 * serialise across replicas: appended references are numbered after whatever the pool holds once the
 * lock is taken, and a re-encoding only replaces the pool it read. Each change bumps the task's revision
 * and sends {@code NOTIFY} {@value #CHANNEL} with the task id and this store's origin, delivered at commit
 * ({@link TaskChangeListener}). A task is read on one snapshot. Kept reference files:
 * {@link PostgresReferenceFiles}.
 */
public final class PostgresTaskStore implements TaskStore {

    private static final Logger log = LoggerFactory.getLogger(PostgresTaskStore.class);
    static final String CHANNEL = "iris_task_changes";
    /** How long a kept file that no task refers to is left for the registration that kept it. */
    static final Duration FILE_GRACE = Duration.ofHours(1);
    private static final Pattern ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private final JdbcClient jdbc;
    private final JdbcTemplate batch;
    private final StoreTransactions tx;
    private final PostgresReferenceFiles files;
    private final Duration retention;
    private final String origin = UUID.randomUUID().toString();

    /** A store with default NIfTI limits for re-writing legacy files, keeping references as long as their tasks. */
    public PostgresTaskStore(DataSource dataSource) {
        this(dataSource, FILE_GRACE, new ReferenceRewriter(NiftiLimits.defaults()), null);
    }

    PostgresTaskStore(DataSource dataSource, Duration fileGrace) {
        this(dataSource, fileGrace, new ReferenceRewriter(NiftiLimits.defaults()), null);
    }

    /**
     * @param rewriter  re-writes reference files an earlier version kept as uploaded (at start-up)
     * @param retention how long a kept reference file is kept after it was last kept; null: as long as a
     *                  task refers to it
     */
    public PostgresTaskStore(DataSource dataSource, ReferenceRewriter rewriter, Duration retention) {
        this(dataSource, FILE_GRACE, rewriter, retention);
    }

    PostgresTaskStore(DataSource dataSource, Duration fileGrace, ReferenceRewriter rewriter, Duration retention) {
        this.jdbc = JdbcClient.create(dataSource);
        this.batch = new JdbcTemplate(dataSource);
        this.tx = new StoreTransactions(dataSource);
        this.files = new PostgresReferenceFiles(jdbc, tx, fileGrace);
        this.retention = retention;
        int rewritten = files.rewriteRaw(rewriter, id -> {
            jdbc.sql("UPDATE task SET revision = revision + 1, updated_at = now() WHERE id = ?").param(id).update();
            notifyChange(id.toString());
        });
        int expired = removeExpiredReferenceFiles();
        int removed = files.collectUnreferenced();
        log.info("PostgreSQL task store: {} tasks, {} reference files kept as uploaded re-written, {} expired and {}"
                + " unreferenced reference files removed",
                tx.statement("count tasks", () -> jdbc.sql("SELECT count(*) FROM task").query(Long.class).single()),
                rewritten, expired, removed);
    }

    /** Sent with every notification of this store, so its own changes can be told apart. */
    String origin() {
        return origin;
    }

    @Override
    public void save(Task task) {
        UUID id = requireId(task.id());
        tx.write("save task " + task.id(), status -> {
            jdbc.sql("""
                    INSERT INTO task (id, tenant, name, model_version, created_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, model_version = EXCLUDED.model_version,
                        revision = task.revision + 1, updated_at = now()""")
                    .params(id, task.tenant(), task.name(), task.modelVersion(),
                            OffsetDateTime.ofInstant(task.createdAt(), ZoneOffset.UTC))
                    .update();
            jdbc.sql("DELETE FROM task_class WHERE task_id = ?").param(id).update();
            jdbc.sql("DELETE FROM task_reference WHERE task_id = ?").param(id).update();
            List<Object[]> classes = new ArrayList<>();
            for (int i = 0; i < task.classes().size(); i++) {
                classes.add(new Object[] {id, i, task.classes().get(i).label(), task.classes().get(i).name()});
            }
            batch.batchUpdate("INSERT INTO task_class (task_id, position, label, name) VALUES (?, ?, ?, ?)", classes);
            insertReferences(id, task.references());
            notifyChange(task.id());
            return null;
        });
    }

    @Override
    public Optional<Task> addReferences(String id, String modelVersion, List<TaskReference> added) {
        Optional<UUID> uuid = parse(id);
        if (uuid.isEmpty()) {
            return Optional.empty();
        }
        return tx.write("add references to task " + id, status -> {
            Optional<String> stored = lockTask(uuid.get());
            if (stored.isEmpty()) {
                return Optional.empty();
            }
            if (!stored.get().equals(modelVersion)) {
                throw new TaskChangedException(id, modelVersion, stored.get());
            }
            int next = jdbc.sql("SELECT count(*) FROM task_reference WHERE task_id = ?").param(uuid.get())
                    .query(Integer.class).single();
            List<TaskReference> numbered = new ArrayList<>();
            for (TaskReference reference : added) {
                numbered.add(reference.withIndex(next + numbered.size()));
            }
            insertReferences(uuid.get(), numbered);
            touch(uuid.get(), modelVersion);
            return read(uuid.get());
        });
    }

    @Override
    public boolean replace(Task previous, Task next) {
        UUID id = requireId(previous.id());
        return tx.write("re-encode task " + previous.id(), status -> {
            Optional<String> stored = lockTask(id);
            int references = jdbc.sql("SELECT count(*) FROM task_reference WHERE task_id = ?").param(id)
                    .query(Integer.class).single();
            if (stored.isEmpty() || !stored.get().equals(previous.modelVersion())
                    || references != previous.references().size()) {
                return false;
            }
            jdbc.sql("DELETE FROM task_reference WHERE task_id = ?").param(id).update();
            insertReferences(id, next.references());
            touch(id, next.modelVersion());
            return true;
        });
    }

    @Override
    public OptionalLong revision(String id) {
        Optional<UUID> uuid = parse(id);
        if (uuid.isEmpty()) {
            return OptionalLong.empty();
        }
        Optional<Long> revision = tx.statement("read the revision of task " + id, () -> jdbc
                .sql("SELECT revision FROM task WHERE id = ?").param(uuid.get()).query(Long.class).optional());
        return revision.map(OptionalLong::of).orElse(OptionalLong.empty());
    }

    @Override
    public Optional<Task> find(String id) {
        Optional<UUID> uuid = parse(id);
        return uuid.isEmpty() ? Optional.empty() : tx.read("read task " + id, status -> read(uuid.get()));
    }

    @Override
    public List<TaskSummary> list(String tenant, long offset, int limit) {
        return tx.read("list tasks", status -> {
            record Row(UUID id, String name, String modelVersion, OffsetDateTime createdAt, int references) {
            }
            List<Row> rows = jdbc.sql("""
                    SELECT t.id, t.name, t.model_version, t.created_at,
                           (SELECT count(*) FROM task_reference r WHERE r.task_id = t.id)
                      FROM task t WHERE t.tenant = ? ORDER BY t.created_at, t.id OFFSET ? LIMIT ?""")
                    .params(tenant, offset, limit)
                    .query((rs, row) -> new Row(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3),
                            rs.getObject(4, OffsetDateTime.class), rs.getInt(5)))
                    .list();
            Map<UUID, List<TaskClass>> classes = new HashMap<>();
            if (!rows.isEmpty()) {
                jdbc.sql("SELECT task_id, label, name FROM task_class WHERE task_id = ANY(?::uuid[])"
                                + " ORDER BY task_id, position")
                        .param(rows.stream().map(r -> r.id().toString()).toArray(String[]::new))
                        .query((ResultSet rs) -> {
                            classes.computeIfAbsent(rs.getObject(1, UUID.class), k -> new ArrayList<>())
                                    .add(new TaskClass(rs.getInt(2), rs.getString(3)));
                        });
            }
            return rows.stream().map(r -> new TaskSummary(r.id().toString(), tenant, r.name(),
                    classes.getOrDefault(r.id(), List.of()), r.references(), r.modelVersion(),
                    r.createdAt().toInstant())).toList();
        });
    }

    @Override
    public long count(String tenant) {
        return tx.statement("count the tasks of a tenant", () -> jdbc.sql("SELECT count(*) FROM task WHERE tenant = ?")
                .param(tenant).query(Long.class).single());
    }

    @Override
    public boolean delete(String id) {
        Optional<UUID> uuid = parse(id);
        if (uuid.isEmpty()) {
            return false;
        }
        boolean deleted = tx.write("delete task " + id, status -> {
            Optional<OffsetDateTime> changed = jdbc.sql("SELECT updated_at FROM task WHERE id = ? FOR UPDATE")
                    .param(uuid.get()).query(OffsetDateTime.class).optional();
            if (changed.isEmpty()) {
                return false;
            }
            List<String> own = jdbc.sql("SELECT image_sha256 FROM task_reference WHERE task_id = ?"
                    + " UNION SELECT mask_sha256 FROM task_reference WHERE task_id = ?")
                    .params(uuid.get(), uuid.get()).query(String.class).list();
            jdbc.sql("DELETE FROM task WHERE id = ?").param(uuid.get()).update();
            files.removeUnused(own, changed.get());
            notifyChange(id);
            return true;
        });
        if (deleted) {
            try {
                files.collectUnreferenced();
            } catch (RuntimeException e) {
                log.warn("Could not remove unreferenced reference files: {}", e.getMessage());
            }
        }
        return deleted;
    }

    @Override
    public String putReferenceFile(InputStream content) throws IOException {
        return files.put(content);
    }

    @Override
    public Optional<InputStream> openReferenceFile(String sha256) {
        return files.open(sha256);
    }

    @Override
    public int removeExpiredReferenceFiles() {
        if (retention == null) {
            return 0;
        }
        int removed = files.removeExpired(retention);
        if (removed > 0) {
            log.info("{} kept reference files older than the retention of {} removed", removed, retention);
        }
        return removed;
    }

    /** Removes kept files no task refers to (older than the grace period); how many. */
    int collectUnreferencedFiles() {
        return files.collectUnreferenced();
    }

    /** Locks the task's row for this transaction; its model version, or empty when there is no such task. */
    private Optional<String> lockTask(UUID id) {
        return jdbc.sql("SELECT model_version FROM task WHERE id = ? FOR UPDATE").param(id)
                .query(String.class).optional();
    }

    private void touch(UUID id, String modelVersion) {
        jdbc.sql("UPDATE task SET model_version = ?, revision = revision + 1, updated_at = now() WHERE id = ?")
                .params(modelVersion, id).update();
        notifyChange(id.toString());
    }

    /** Delivered to every listening replica when (and only if) the transaction commits. */
    private void notifyChange(String id) {
        jdbc.sql("SELECT pg_notify(?, ?)").params(CHANNEL, id + " " + origin).query().listOfRows();
    }

    private void insertReferences(UUID id, List<TaskReference> references) {
        List<Object[]> rows = new ArrayList<>();
        List<Object[]> embeddings = new ArrayList<>();
        for (TaskReference r : references) {
            rows.add(new Object[] {id, r.index(), r.imageSha256(), r.maskSha256(),
                    Arrays.stream(r.shape()).mapToObj(String::valueOf).collect(Collectors.joining(",", "{", "}")),
                    r.modelVersion(), r.hasFocus() ? r.focus().sideMm() : null});
            r.embeddings().forEach((label, v) -> embeddings.add(new Object[] {id, r.index(), label, bytes(v),
                    r.volumesMl().get(label), r.hasFocus() ? bytes(r.focus().embedding(label)) : null}));
        }
        batch.batchUpdate("INSERT INTO task_reference (task_id, position, image_sha256, mask_sha256, shape,"
                + " model_version, focus_side_mm) VALUES (?, ?, ?, ?, ?::integer[], ?, ?)", rows);
        batch.batchUpdate("INSERT INTO reference_embedding (task_id, position, label, vector, volume_ml,"
                + " focus_vector) VALUES (?, ?, ?, ?, ?, ?)",
                embeddings);
    }

    private Optional<Task> read(UUID id) {
        record Head(String tenant, String name, String modelVersion, OffsetDateTime createdAt) {
        }
        Optional<Head> head = jdbc.sql("SELECT tenant, name, model_version, created_at FROM task WHERE id = ?")
                .param(id).query((rs, row) -> new Head(rs.getString(1), rs.getString(2), rs.getString(3),
                        rs.getObject(4, OffsetDateTime.class)))
                .optional();
        if (head.isEmpty()) {
            return Optional.empty();
        }
        List<TaskClass> classes = jdbc.sql("SELECT label, name FROM task_class WHERE task_id = ? ORDER BY position")
                .param(id).query((rs, row) -> new TaskClass(rs.getInt(1), rs.getString(2))).list();
        Map<Integer, Map<Integer, float[]>> vectors = new HashMap<>();
        Map<Integer, Map<Integer, Double>> volumes = new HashMap<>();
        Map<Integer, Map<Integer, float[]>> focusVectors = new HashMap<>();
        jdbc.sql("SELECT position, label, vector, volume_ml, focus_vector FROM reference_embedding WHERE task_id = ?")
                .param(id).query((ResultSet rs) -> {
                    vectors.computeIfAbsent(rs.getInt(1), k -> new LinkedHashMap<>()).put(rs.getInt(2),
                            floats(rs.getBytes(3)));
                    double volume = rs.getDouble(4);
                    if (!rs.wasNull()) {
                        volumes.computeIfAbsent(rs.getInt(1), k -> new LinkedHashMap<>()).put(rs.getInt(2), volume);
                    }
                    byte[] focus = rs.getBytes(5);
                    if (focus != null) {
                        focusVectors.computeIfAbsent(rs.getInt(1), k -> new LinkedHashMap<>()).put(rs.getInt(2),
                                floats(focus));
                    }
                });
        List<TaskReference> references = jdbc.sql("""
                SELECT position, image_sha256, mask_sha256, shape, model_version, focus_side_mm
                  FROM task_reference WHERE task_id = ? ORDER BY position""").param(id)
                .query((rs, row) -> {
                    double side = rs.getDouble(6);
                    ReferenceFocus focus = rs.wasNull() ? null
                            : new ReferenceFocus(side, focusVectors.getOrDefault(rs.getInt(1), Map.of()));
                    return new TaskReference(rs.getInt(1), rs.getString(2), rs.getString(3), shape(rs),
                            rs.getString(5), vectors.getOrDefault(rs.getInt(1), Map.of()),
                            volumes.getOrDefault(rs.getInt(1), Map.of()), focus);
                })
                .list();
        Head h = head.get();
        return Optional.of(new Task(id.toString(), h.tenant(), h.name(), classes, references, h.modelVersion(),
                h.createdAt().toInstant()));
    }

    private static int[] shape(ResultSet rs) throws SQLException {
        Object[] values = (Object[]) rs.getArray(4).getArray();
        return Arrays.stream(values).mapToInt(v -> ((Number) v).intValue()).toArray();
    }

    static byte[] bytes(float[] v) {
        ByteBuffer buffer = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(v);
        return buffer.array();
    }

    static float[] floats(byte[] bytes) {
        float[] v = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }

    private static Optional<UUID> parse(String id) {
        return id != null && ID.matcher(id).matches() ? Optional.of(UUID.fromString(id)) : Optional.empty();
    }

    private static UUID requireId(String id) {
        return parse(id).orElseThrow(() -> new IllegalArgumentException("Task ids are lower-case UUIDs"));
    }
}
