package org.irisseg.task;

import java.util.Optional;

import org.irisseg.config.IrisProperties;
import org.springframework.stereotype.Component;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;

/**
 * The task cache: registered tasks with their embeddings, held in a Caffeine cache bounded by bytes in
 * front of the durable {@link TaskStore}. A miss loads the task from the store. Hits, misses, evictions
 * and size go to Micrometer as {@code cache.*{cache="task-cache"}}, the weighed size as
 * {@code iris.task.cache.bytes}.
 */
@Component
public class TaskCache {

    static final String CACHE_NAME = "task-cache";

    private final TaskStore store;
    private final Cache<String, Task> cache;

    public TaskCache(TaskStore store, IrisProperties properties, MeterRegistry registry) {
        this.store = store;
        this.cache = Caffeine.newBuilder()
                .maximumWeight(properties.taskCache().maxBytes())
                .weigher((String id, Task task) -> (int) Math.min(Integer.MAX_VALUE, task.sizeBytes()))
                .recordStats()
                .build();
        CaffeineCacheMetrics.monitor(registry, cache, CACHE_NAME);
        Gauge.builder("iris.task.cache.bytes", cache,
                        c -> c.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L))
                .description("Approximate bytes of task embeddings held in memory")
                .baseUnit("bytes")
                .register(registry);
    }

    /** The task from memory, or from the store on a miss. */
    public Optional<Task> find(String id) {
        return Optional.ofNullable(cache.get(id, key -> store.find(key).orElse(null)));
    }

    /** Stores the task durably, then makes it the cached version. */
    public void save(Task task) {
        store.save(task);
        cache.put(task.id(), task);
    }

    /** Removes the task from the store and from memory. */
    public boolean delete(String id) {
        boolean deleted = store.delete(id);
        cache.invalidate(id);
        return deleted;
    }

    /** Runs pending evictions now (Caffeine otherwise does it on later operations). */
    void cleanUp() {
        cache.cleanUp();
    }

    /** Whether the task is in memory now (no load, no statistics). */
    public boolean isCached(String id) {
        return cache.asMap().containsKey(id);
    }
}
