package org.irisseg.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.irisseg.IrisApplication;
import org.irisseg.support.Hippocampus;
import org.irisseg.support.IrisClient;
import org.irisseg.support.PostgresDatabase;
import org.irisseg.support.TestPaths;
import org.junit.jupiter.api.Test;

/**
 * A replica killed with SIGKILL while registrations are in flight, in a JVM of its own on the real
 * PostgreSQL: every registration it answered 201 is stored, and every stored task is complete (all its
 * references, each with an embedding per class), since a task is saved by one transaction.
 */
class KillDuringRegistrationTest {

    private static final int REFERENCES = 3;
    private static final int CLIENTS = 3;

    @Test
    void aReplicaKilledDuringRegistrationsLeavesNoHalfTaskAndLosesNoCommittedOne() throws Exception {
        TestPaths.assumeHippocampus();
        Path model = TestPaths.assumeModel();
        Set<String> committed = ConcurrentHashMap.newKeySet();
        try (PostgresDatabase.Schema schema = PostgresDatabase.newSchema()) {
            int port = freePort();
            int managementPort = freePort();
            Path log = Files.createTempFile("iris-killed-replica", ".log");
            Process replica = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx1g", "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                    IrisApplication.class.getName(), "--server.port=" + port, "--iris.store.type=postgres",
                    "--spring.datasource.url=" + schema.url(), "--spring.datasource.username=" + PostgresDatabase.USER,
                    "--iris.model.dir=" + model, "--spring.jmx.enabled=false",
                    "--management.server.port=" + managementPort, "--iris.security.api-keys=" + IrisClient.API_KEYS)
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            try {
                IrisClient client = new IrisClient(port);
                awaitReady(new IrisClient(managementPort), replica, log);
                for (int i = 0; i < CLIENTS; i++) {
                    clients.submit(() -> {
                        while (!Thread.currentThread().isInterrupted()) {
                            committed.add(client.registerTask(Hippocampus.taskForm("killed",
                                    Hippocampus.REFERENCES.subList(0, REFERENCES))));
                        }
                        return null;
                    });
                }
                long start = System.nanoTime();
                while (committed.size() < CLIENTS + 1) {
                    assertTrue(System.nanoTime() - start < Duration.ofMinutes(3).toNanos(), "registrations too slow");
                    Thread.sleep(20);
                }
                Thread.sleep(250 + (long) (Math.random() * 500));
            } finally {
                replica.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                clients.shutdownNow();
                clients.awaitTermination(30, TimeUnit.SECONDS);
            }
            assertEquals(137, replica.exitValue(), "killed by SIGKILL");

            PostgresTaskStore store = new PostgresTaskStore(schema.dataSource());
            List<TaskSummary> stored = store.list(IrisClient.TENANT, 0, 500);
            System.out.printf("killed replica: %d registrations answered 201, %d tasks stored%n", committed.size(),
                    stored.size());
            assertTrue(stored.stream().map(TaskSummary::id).toList().containsAll(committed), "a committed task was lost");
            for (TaskSummary summary : stored) {
                Task task = store.find(summary.id()).orElseThrow();
                assertEquals(REFERENCES, task.references().size(), "task " + task.id() + " is half-written");
                task.labels().forEach(label -> assertEquals(REFERENCES, task.embeddings(label).size()));
            }
        }
    }

    private static void awaitReady(IrisClient client, Process replica, Path log) throws Exception {
        long start = System.nanoTime();
        while (true) {
            assertTrue(replica.isAlive(), "the replica exited: " + Files.readString(log));
            assertTrue(System.nanoTime() - start < Duration.ofMinutes(4).toNanos(), "not ready in 4 min");
            try {
                if (client.get("/actuator/health/readiness").statusCode() == 200) {
                    return;
                }
            } catch (UncheckedIOException e) {
                // not listening yet
            }
            Thread.sleep(500);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
