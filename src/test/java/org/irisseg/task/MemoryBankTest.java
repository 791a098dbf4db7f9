package org.irisseg.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;

import org.irisseg.config.IrisProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import tools.jackson.databind.json.JsonMapper;

class MemoryBankTest {

    @TempDir
    Path root;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private MemoryBank bank(FileTaskStore store, long maxBytes) {
        IrisProperties properties = new IrisProperties(
                new IrisProperties.Model(Path.of("models/iris-small"), IrisProperties.Device.CPU),
                new IrisProperties.Store(root, true),
                new IrisProperties.Nifti(1000, 1000),
                new IrisProperties.Inference(1, 8, Duration.ofSeconds(30)),
                new IrisProperties.MemoryBank(maxBytes, 0.99));
        return new MemoryBank(store, properties, registry);
    }

    @Test
    void aMissLoadsFromTheStoreAndTheNextGetIsAHit() {
        FileTaskStore store = new FileTaskStore(root, JsonMapper.builder().build());
        Task task = TaskFixtures.task(2, 64, 1);
        store.save(task);
        MemoryBank bank = bank(store, 1 << 20);

        assertTrue(bank.find(task.id()).isPresent());
        assertTrue(bank.find(task.id()).isPresent());
        assertTrue(bank.find("00000000-0000-0000-0000-000000000000").isEmpty());

        assertEquals(1.0, registry.get("cache.gets").tags("cache", "memory-bank", "result", "hit")
                .functionCounter().count());
        assertEquals(2.0, registry.get("cache.gets").tags("cache", "memory-bank", "result", "miss")
                .functionCounter().count());
        bank.cleanUp();
        assertTrue(registry.get("iris.memory.bank.bytes").gauge().value() >= task.sizeBytes());
    }

    @Test
    void theBankIsBoundedByBytesAndEvictedTasksReloadFromTheStore() {
        FileTaskStore store = new FileTaskStore(root, JsonMapper.builder().build());
        Task first = TaskFixtures.task(4, 1024, 1);
        long oneTask = first.sizeBytes();
        MemoryBank bank = bank(store, oneTask * 2 + oneTask / 2);
        bank.save(first);
        for (int i = 2; i <= 6; i++) {
            bank.save(TaskFixtures.task(4, 1024, i));
        }
        bank.cleanUp();
        assertTrue(registry.get("iris.memory.bank.bytes").gauge().value() <= oneTask * 2.5);
        assertEquals(6, store.list().size(), "eviction only drops the in-memory copy");
        assertTrue(bank.find(first.id()).isPresent());
    }

    @Test
    void deleteRemovesFromMemoryAndStore() {
        FileTaskStore store = new FileTaskStore(root, JsonMapper.builder().build());
        MemoryBank bank = bank(store, 1 << 20);
        Task task = TaskFixtures.task(1, 8, 3);
        bank.save(task);
        assertTrue(bank.isCached(task.id()));
        assertTrue(bank.delete(task.id()));
        assertFalse(bank.isCached(task.id()));
        assertTrue(bank.find(task.id()).isEmpty());
    }
}
