package org.irisseg.task;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import org.irisseg.config.IrisProperties;
import org.springframework.stereotype.Component;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;

/**
 * The task cache: registered tasks with their embeddings, held in a Caffeine cache bounded by bytes in
 * front of the durable {@link TaskStore}. A miss loads the task from the store. Where several replicas
 * share a store, a change made by another replica reaches this cache as an {@link #invalidate} (a change
 * notification) and, should a notification be lost, a cached task older than
 * {@code iris.store.max-staleness} is checked against the store's revision before it is served. Hits,
 * misses, evictions and size go to Micrometer as {@code cache.*{cache="task-cache"}}, the weighed size as
 * {@code iris.task.cache.bytes}.
 */
@Component
public class TaskCache {

    static final String CACHE_NAME = "task-cache";
    /** Revision of a task this replica wrote: unknown until read back, so the first check reloads it. */
    private static final long UNKNOWN_REVISION = Long.MIN_VALUE;

    /** A cached task, the store's revision it was read at and when that was last confirmed. */
    private record Entry(Task task, long revision, long checkedNanos) {
    }

    private final TaskStore store;
    private final Cache<String, Entry> cache;
    private final long maxStalenessNanos;

    public TaskCache(TaskStore store, IrisProperties properties, MeterRegistry registry) {
        this.store = store;
        this.maxStalenessNanos = properties.store().maxStaleness().toNanos();
        this.cache = Caffeine.newBuilder()
                .maximumWeight(properties.taskCache().maxBytes())
                .weigher((String id, Entry entry) -> (int) Math.min(Integer.MAX_VALUE, entry.task().sizeBytes()))
                .recordStats()
                .build();
        CaffeineCacheMetrics.monitor(registry, cache, CACHE_NAME);
        Gauge.builder("iris.task.cache.bytes", cache,
                        c -> c.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L))
                .description("Approximate bytes of task embeddings held in memory")
                .baseUnit("bytes")
                .register(registry);
    }

    /** The task from memory (confirmed with the store when older than the staleness bound), or from the store. */
    public Optional<Task> find(String id) {
        Entry entry = cache.get(id, this::load);
        if (entry == null) {
            return Optional.empty();
        }
        if (System.nanoTime() - entry.checkedNanos() < maxStalenessNanos) {
            return Optional.of(entry.task());
        }
        OptionalLong revision = store.revision(id);
        if (revision.isEmpty()) {
            cache.invalidate(id);
            return Optional.empty();
        }
        if (revision.getAsLong() == entry.revision()) {
            cache.asMap().replace(id, entry, new Entry(entry.task(), entry.revision(), System.nanoTime()));
            return Optional.of(entry.task());
        }
        cache.asMap().remove(id, entry);
        return Optional.ofNullable(cache.get(id, this::load)).map(Entry::task);
    }

    /** Stores the task durably, then makes it the cached version. */
    public void save(Task task) {
        store.save(task);
        put(task);
    }

    /**
     * Appends references to the stored task (see {@link TaskStore#addReferences}). The cached copy is
     * dropped, not replaced: a concurrent addition may have committed after this one, and the next read
     * loads whatever the store holds.
     *
     * @throws TaskChangedException when the stored task is encoded by another model
     */
    public Optional<Task> addReferences(String id, String modelVersion, List<TaskReference> added) {
        try {
            return store.addReferences(id, modelVersion, added);
        } finally {
            cache.invalidate(id);
        }
    }

    /** Replaces the stored task if it is still {@code previous} (see {@link TaskStore#replace}); false otherwise. */
    public boolean replace(Task previous, Task next) {
        try {
            return store.replace(previous, next);
        } finally {
            cache.invalidate(previous.id());
        }
    }

    /** Removes the task from the store and from memory. */
    public boolean delete(String id) {
        boolean deleted = store.delete(id);
        cache.invalidate(id);
        return deleted;
    }

    /** Forgets the in-memory copy: the task was changed elsewhere. */
    public void invalidate(String id) {
        cache.invalidate(id);
    }

    /** Forgets every in-memory copy: changes made elsewhere may have been missed. */
    public void invalidateAll() {
        cache.invalidateAll();
    }

    /** Runs pending evictions now (Caffeine otherwise does it on later operations). */
    void cleanUp() {
        cache.cleanUp();
    }

    /** Whether the task is in memory now (no load, no statistics). */
    public boolean isCached(String id) {
        return cache.asMap().containsKey(id);
    }

    private void put(Task task) {
        cache.put(task.id(), new Entry(task, UNKNOWN_REVISION, System.nanoTime()));
    }

    /** The revision is read first: a change between the two reads makes the entry look older, never newer. */
    private Entry load(String id) {
        OptionalLong revision = store.revision(id);
        if (revision.isEmpty()) {
            return null;
        }
        return store.find(id).map(task -> new Entry(task, revision.getAsLong(), System.nanoTime())).orElse(null);
    }
}
