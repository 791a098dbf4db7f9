package org.irisseg.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.irisseg.config.IrisProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import tools.jackson.databind.json.JsonMapper;

class TaskCacheTest {

    @TempDir
    Path root;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private TaskCache cache(FileTaskStore store, long maxBytes) {
        IrisProperties properties = new IrisProperties(
                new IrisProperties.Model(Path.of("models/iris-small"), IrisProperties.Device.CPU),
                IrisProperties.Store.files(root),
                new IrisProperties.Nifti(1000, 1000),
                new IrisProperties.Inference(1, 8, Duration.ofSeconds(30)),
                new IrisProperties.TaskCache(maxBytes),
                new IrisProperties.Admission(null, 32));
        return new TaskCache(store, properties, registry);
    }

    private double gets(String result) {
        return registry.get("cache.gets").tags("cache", "task-cache", "result", result).functionCounter().count();
    }

    @Test
    void aMissLoadsFromTheStoreAndTheNextGetIsAHit() {
        FileTaskStore store = new FileTaskStore(root, JsonMapper.builder().build());
        Task task = TaskFixtures.task(2, 64, 1);
        store.save(task);
        TaskCache cache = cache(store, 1 << 20);

        assertTrue(cache.find(task.id()).isPresent());
        assertTrue(cache.find(task.id()).isPresent());
        assertTrue(cache.find("00000000-0000-0000-0000-000000000000").isEmpty());

        assertEquals(1.0, gets("hit"));
        assertEquals(2.0, gets("miss"));
    }

    @Test
    void theWeighedSizeIsPublished() {
        TaskCache cache = cache(new FileTaskStore(root, JsonMapper.builder().build()), 1 << 20);
        Task task = TaskFixtures.task(2, 64, 1);
        cache.save(task);
        cache.cleanUp();
        assertEquals(task.sizeBytes(), registry.get("iris.task.cache.bytes").gauge().value());
    }

    @Test
    void theCacheIsBoundedByBytes() {
        FileTaskStore store = new FileTaskStore(root, JsonMapper.builder().build());
        long oneTask = TaskFixtures.task(4, 1024, 1).sizeBytes();
        TaskCache cache = cache(store, oneTask * 2 + oneTask / 2);
        for (int i = 1; i <= 6; i++) {
            cache.save(TaskFixtures.task(4, 1024, i));
        }
        cache.cleanUp();
        double bytes = registry.get("iris.task.cache.bytes").gauge().value();
        assertTrue(bytes > 0 && bytes <= oneTask * 2.5, bytes + " bytes held");
        assertEquals(6, store.list(TaskFixtures.TENANT, 0, 500).size(), "eviction only drops the in-memory copy");
    }

    @Test
    void anEvictedTaskIsReloadedFromTheStore() {
        FileTaskStore store = new FileTaskStore(root, JsonMapper.builder().build());
        List<Task> saved = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            saved.add(TaskFixtures.task(4, 1024, i));
        }
        TaskCache cache = cache(store, saved.get(0).sizeBytes() * 2 + saved.get(0).sizeBytes() / 2);
        saved.forEach(cache::save);
        cache.cleanUp();
        Task evicted = saved.stream().filter(t -> !cache.isCached(t.id())).findFirst()
                .orElseThrow(() -> new AssertionError("six tasks in room for two and a half, none evicted"));
        double misses = gets("miss");

        Task reloaded = cache.find(evicted.id()).orElseThrow();

        assertEquals(misses + 1, gets("miss"), "the find went to the store");
        // whether the reloaded task stays in memory is the call of Caffeine's frequency-based admission
        // (randomised per cache), not of this test
        FileTaskStoreTest.assertSameTask(evicted, reloaded);
    }

    @Test
    void deleteRemovesFromMemoryAndStore() {
        FileTaskStore store = new FileTaskStore(root, JsonMapper.builder().build());
        TaskCache cache = cache(store, 1 << 20);
        Task task = TaskFixtures.task(1, 8, 3);
        cache.save(task);
        assertTrue(cache.isCached(task.id()));
        assertTrue(cache.delete(task.id()));
        assertFalse(cache.isCached(task.id()));
        assertTrue(cache.find(task.id()).isEmpty());
        assertTrue(store.find(task.id()).isEmpty());
    }
}
