package org.irisseg.task;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Pattern;

import org.irisseg.nifti.NiftiException;
import org.irisseg.util.Sha256;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Kept reference files in PostgreSQL: content-addressed by SHA-256 and stored in chunks of {@value #CHUNK}
 * bytes, so neither keeping nor reading a file holds more than one chunk in memory. Keeping a file is one
 * transaction (all chunks or none); keeping content that is already there only refreshes its
 * {@code kept_at}. Files no task refers to are removed once older than a grace period, which covers a
 * registration's time between keeping its files and saving its task, possibly on another replica; the files
 * of a deleted task go with it ({@link #removeUnused}); files older than the retention, if one is set, go
 * whoever refers to them ({@link #removeExpired}). Files an earlier version kept as uploaded
 * ({@code rewritten = false}) are re-written at start-up ({@link #rewriteRaw}).
 */
final class PostgresReferenceFiles {

    private static final Logger log = LoggerFactory.getLogger(PostgresReferenceFiles.class);
    static final int CHUNK = 1 << 20;
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private final JdbcClient jdbc;
    private final StoreTransactions tx;
    private final Duration grace;

    PostgresReferenceFiles(JdbcClient jdbc, StoreTransactions tx, Duration grace) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.grace = grace;
    }

    String put(InputStream content) throws IOException {
        try {
            return tx.write("keep a reference file", status -> {
                UUID blob = UUID.randomUUID();
                MessageDigest digest = Sha256.newDigest();
                long size = 0;
                int chunks = 0;
                try (InputStream in = new DigestInputStream(content, digest)) {
                    byte[] chunk;
                    while ((chunk = in.readNBytes(CHUNK)).length > 0) {
                        jdbc.sql("INSERT INTO reference_file_chunk (blob_id, seq, data) VALUES (?, ?, ?)")
                                .params(blob, chunks++, chunk).update();
                        size += chunk.length;
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                String sha = Sha256.hex(digest);
                UUID stored = jdbc.sql("INSERT INTO reference_file (sha256, blob_id, size, chunks, rewritten)"
                                + " VALUES (?, ?, ?, ?, true)"
                                + " ON CONFLICT (sha256) DO UPDATE SET kept_at = now(), rewritten = true RETURNING blob_id")
                        .params(sha, blob, size, chunks).query(UUID.class).single();
                if (!stored.equals(blob)) {
                    jdbc.sql("DELETE FROM reference_file_chunk WHERE blob_id = ?").param(blob).update();
                }
                return sha;
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    Optional<InputStream> open(String sha256) {
        if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            return Optional.empty();
        }
        return tx.statement("open a reference file", () -> jdbc
                .sql("SELECT blob_id, chunks FROM reference_file WHERE sha256 = ?").param(sha256)
                .query((rs, row) -> (InputStream) new ChunkStream(rs.getObject(1, UUID.class), rs.getInt(2)))
                .optional());
    }

    /** Removes the files no task refers to that were kept before the grace period; how many. */
    int collectUnreferenced() {
        return tx.statement("remove unreferenced reference files", () -> jdbc.sql("""
                DELETE FROM reference_file f
                 WHERE f.kept_at < now() - make_interval(secs => ?)
                   AND NOT EXISTS (SELECT 1 FROM task_reference r WHERE r.image_sha256 = f.sha256)
                   AND NOT EXISTS (SELECT 1 FROM task_reference r WHERE r.mask_sha256 = f.sha256)""")
                .param(grace.toMillis() / 1000.0).update());
    }

    /**
     * Removes those of {@code shas} (the files of a task deleted in this transaction) that no task refers
     * to, unless kept again after {@code keptBefore} (the task's last change), by a registration that may
     * still be on its way to saving its task; runs in the caller's transaction.
     */
    void removeUnused(List<String> shas, OffsetDateTime keptBefore) {
        for (String sha : shas) {
            jdbc.sql("""
                    DELETE FROM reference_file f
                     WHERE f.sha256 = ? AND f.kept_at <= ?
                       AND NOT EXISTS (SELECT 1 FROM task_reference r WHERE r.image_sha256 = f.sha256)
                       AND NOT EXISTS (SELECT 1 FROM task_reference r WHERE r.mask_sha256 = f.sha256)""")
                    .params(sha, keptBefore).update();
        }
    }

    /** Removes the files last kept longer ago than {@code retention}, whoever refers to them; how many. */
    int removeExpired(Duration retention) {
        return tx.statement("remove expired reference files", () -> jdbc
                .sql("DELETE FROM reference_file WHERE kept_at < now() - make_interval(secs => ?)")
                .param(retention.toMillis() / 1000.0).update());
    }

    /**
     * Re-writes the files an earlier version kept as uploaded, one transaction each: the re-written file is
     * kept, the references that named the raw one name it instead ({@code changed} is told each task, in the
     * transaction), and the raw file goes. Replicas starting together share the work (rows another one
     * holds are skipped). A raw file that cannot be decoded is removed all the same.
     *
     * @return how many raw files were handled
     */
    int rewriteRaw(ReferenceRewriter rewriter, Consumer<UUID> changed) {
        int handled = 0;
        while (tx.write("re-write a reference file kept as uploaded", status -> rewriteOneRaw(rewriter, changed))) {
            handled++;
        }
        return handled;
    }

    private boolean rewriteOneRaw(ReferenceRewriter rewriter, Consumer<UUID> changed) {
        record Raw(String sha256, UUID blob, int chunks) {
        }
        Optional<Raw> raw = jdbc.sql("SELECT sha256, blob_id, chunks FROM reference_file WHERE NOT rewritten"
                        + " LIMIT 1 FOR UPDATE SKIP LOCKED")
                .query((rs, row) -> new Raw(rs.getString(1), rs.getObject(2, UUID.class), rs.getInt(3))).optional();
        if (raw.isEmpty()) {
            return false;
        }
        String old = raw.get().sha256();
        try (InputStream in = new ChunkStream(raw.get().blob(), raw.get().chunks())) {
            String kept = put(new ByteArrayInputStream(rewriter.rewrite(in)));
            jdbc.sql("UPDATE task_reference SET image_sha256 = ? WHERE image_sha256 = ?").params(kept, old).update();
            jdbc.sql("UPDATE task_reference SET mask_sha256 = ? WHERE mask_sha256 = ?").params(kept, old).update();
            jdbc.sql("SELECT DISTINCT task_id FROM task_reference WHERE image_sha256 = ? OR mask_sha256 = ?")
                    .params(kept, kept).query(UUID.class).list().forEach(changed);
        } catch (NiftiException | IOException | UncheckedIOException e) {
            log.error("Reference file {} kept as uploaded cannot be decoded ({}); it is removed, and its tasks can no"
                    + " longer be re-encoded by another model", old, e.getMessage());
        }
        jdbc.sql("DELETE FROM reference_file WHERE sha256 = ?").param(old).update();
        return true;
    }

    /** Reads a kept file chunk by chunk, each with its own query. */
    private final class ChunkStream extends InputStream {

        private final UUID blob;
        private final int chunks;
        private int next;
        private byte[] current = new byte[0];
        private int offset;

        ChunkStream(UUID blob, int chunks) {
            this.blob = blob;
            this.chunks = chunks;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            while (offset == current.length) {
                if (next == chunks) {
                    return -1;
                }
                current = chunk(next++);
                offset = 0;
            }
            int n = Math.min(len, current.length - offset);
            System.arraycopy(current, offset, b, off, n);
            offset += n;
            return n;
        }

        private byte[] chunk(int seq) throws IOException {
            try {
                return jdbc.sql("SELECT data FROM reference_file_chunk WHERE blob_id = ? AND seq = ?")
                        .params(blob, seq).query(byte[].class).optional()
                        .orElseThrow(() -> new IOException("kept reference file chunk " + seq + " disappeared"));
            } catch (DataAccessException e) {
                throw new IOException("Cannot read a kept reference file: " + e.getMostSpecificCause().getMessage(), e);
            }
        }
    }
}
