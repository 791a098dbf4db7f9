package org.irisseg.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.function.BooleanSupplier;

import org.irisseg.config.IrisProperties;
import org.irisseg.support.PostgresDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * How a replica's task cache learns of another replica's changes on the real server: at once through
 * LISTEN/NOTIFY, and within iris.store.max-staleness when no notification comes.
 */
class TaskChangesTest {

    private static PostgresDatabase.Schema schema;

    @BeforeAll
    static void createSchema() {
        schema = PostgresDatabase.newSchema().migrated();
    }

    @AfterAll
    static void dropSchema() {
        if (schema != null) {
            schema.close();
        }
    }

    private static TaskCache cache(TaskStore store, Duration maxStaleness) {
        IrisProperties properties = new IrisProperties(
                new IrisProperties.Model(Path.of("models/iris-small"), IrisProperties.Device.CPU),
                new IrisProperties.Store(IrisProperties.StoreType.POSTGRES, Path.of("data"), true, maxStaleness),
                new IrisProperties.Nifti(1000, 1000),
                new IrisProperties.Inference(1, 8, Duration.ofSeconds(30)),
                new IrisProperties.TaskCache(1 << 24),
                new IrisProperties.Admission(null, 32));
        return new TaskCache(store, properties, new SimpleMeterRegistry());
    }

    private static TaskChangeListener listener(TaskCache cache, PostgresTaskStore store) {
        return new TaskChangeListener(() -> DriverManager.getConnection(schema.url(), PostgresDatabase.USER, ""),
                cache, store.origin());
    }

    @Test
    void aChangeOnAnotherReplicaDropsTheCachedCopyAtOnce() throws Exception {
        PostgresTaskStore mine = new PostgresTaskStore(schema.dataSource());
        TaskCache cache = cache(mine, Duration.ofHours(1));
        TaskChangeListener listener = listener(cache, mine);
        listener.start();
        try {
            assertTrue(within(Duration.ofSeconds(10), listener::isListening));
            Task task = TaskFixtures.task(1, 8, 1);
            cache.save(task);

            new PostgresTaskStore(schema.dataSource()).delete(task.id());

            assertTrue(within(Duration.ofSeconds(2), () -> !cache.isCached(task.id())));
            assertTrue(cache.find(task.id()).isEmpty());
        } finally {
            listener.stop();
        }
    }

    @Test
    void aReplicasOwnChangeKeepsItsCachedCopy() throws Exception {
        PostgresTaskStore mine = new PostgresTaskStore(schema.dataSource());
        TaskCache cache = cache(mine, Duration.ofHours(1));
        TaskChangeListener listener = listener(cache, mine);
        listener.start();
        try {
            assertTrue(within(Duration.ofSeconds(10), listener::isListening));
            Task task = TaskFixtures.task(1, 8, 2);
            cache.save(task);

            assertFalse(within(Duration.ofSeconds(1), () -> !cache.isCached(task.id())));
        } finally {
            listener.stop();
        }
    }

    @Test
    void withoutNotificationsAChangeIsSeenOnceTheStalenessBoundHasPassed() throws Exception {
        PostgresTaskStore mine = new PostgresTaskStore(schema.dataSource());
        TaskCache cache = cache(mine, Duration.ofMillis(300));
        Task task = TaskFixtures.task(1, 8, 3);
        cache.save(task);
        PostgresTaskStore other = new PostgresTaskStore(schema.dataSource());
        other.addReferences(task.id(), task.modelVersion(), TaskFixtures.task(1, 8, 4).references());

        Thread.sleep(400);

        assertEquals(2, cache.find(task.id()).orElseThrow().references().size());
        other.delete(task.id());
        Thread.sleep(400);
        assertTrue(cache.find(task.id()).isEmpty());
    }

    @Test
    void aCachedTaskThatDidNotChangeIsConfirmedNotReloaded() throws Exception {
        PostgresTaskStore store = new PostgresTaskStore(schema.dataSource());
        Task task = TaskFixtures.task(1, 8, 5);
        store.save(task);
        TaskCache cache = cache(store, Duration.ofMillis(100));
        Task first = cache.find(task.id()).orElseThrow();

        Thread.sleep(200);

        assertTrue(first == cache.find(task.id()).orElseThrow(), "the same object: only the revision was read");
    }

    private static boolean within(Duration limit, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(20);
        }
        return condition.getAsBoolean();
    }
}
