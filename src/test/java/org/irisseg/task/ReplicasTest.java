package org.irisseg.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.irisseg.support.Hippocampus;
import org.irisseg.support.IrisClient;
import org.irisseg.support.Multipart;
import org.irisseg.support.PostgresDatabase;
import org.irisseg.support.ServiceInstance;
import org.irisseg.support.TestPaths;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/**
 * Two replicas of the service on one PostgreSQL schema, over real HTTP: they agree on every task, whichever
 * replica registered, changed or deleted it.
 */
class ReplicasTest {

    /** The replicas' iris.store.max-staleness (2 s, see ServiceInstance) plus time to answer under load. */
    private static final Duration STALENESS_BOUND = Duration.ofSeconds(2).plusSeconds(3);

    private static PostgresDatabase.Schema schema;
    private static ServiceInstance a;
    private static ServiceInstance b;

    @BeforeAll
    static void startTwoReplicas() throws InterruptedException {
        TestPaths.assumeHippocampus();
        schema = PostgresDatabase.newSchema();
        a = ServiceInstance.startReady(schema.url());
        b = ServiceInstance.startReady(schema.url());
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable closeable : new AutoCloseable[] {a, b, schema}) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception e) {
                // the next closeable still closes
            }
        }
    }

    private static String register(IrisClient client, String name, int references) {
        return client.registerTask(Hippocampus.taskForm(name, Hippocampus.REFERENCES.subList(0, references)));
    }

    @Test
    void aTaskRegisteredOnOneReplicaIsListedAndSegmentedByTheOther() {
        String id = register(a.client(), "on-a", 1);

        HttpResponse<byte[]> segmented = b.client().post("/api/v1/segmentations", Multipart.form()
                .file("image", Hippocampus.image(Hippocampus.QUERIES.get(0))).field("taskId", id), "application/json");

        assertEquals(200, segmented.statusCode(), new String(segmented.body()));
        assertTrue(IrisClient.json(b.client().get("/api/v1/tasks")).valueStream()
                .anyMatch(t -> t.path("id").asString().equals(id)));
    }

    @Test
    void aTaskDeletedOnOneReplicaIsGoneFromTheOtherWithinTheStalenessBound() throws InterruptedException {
        String id = register(a.client(), "deleted-on-b", 1);
        assertEquals(200, a.client().get("/api/v1/tasks/" + id).statusCode(), "cached on A");

        assertEquals(204, b.client().delete("/api/v1/tasks/" + id).statusCode());
        long deleted = System.nanoTime();
        int status;
        do {
            status = a.client().get("/api/v1/tasks/" + id).statusCode();
        } while (status == 200 && System.nanoTime() - deleted < STALENESS_BOUND.toNanos() && pause());

        assertEquals(404, status, "A still served the task " + STALENESS_BOUND + " after B deleted it");
    }

    @Test
    void referencesAddedOnOneReplicaAreServedByTheOther() {
        String id = register(a.client(), "grown-on-b", 1);
        assertEquals(1, IrisClient.json(a.client().get("/api/v1/tasks/" + id)).path("references").asInt());

        HttpResponse<byte[]> added = b.client().post("/api/v1/tasks/" + id + "/references", pair(1), "application/json");
        assertEquals(200, added.statusCode(), new String(added.body()));

        assertEquals(2, IrisClient.json(a.client().get("/api/v1/tasks/" + id)).path("references").asInt(),
                "A serves the grown task (its copy was dropped on B's change notification)");
    }

    @Test
    void concurrentAddReferencesOnBothReplicasAllLand() throws Exception {
        String id = register(a.client(), "grown-on-both", 1);
        List<CompletableFuture<HttpResponse<byte[]>>> calls = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            IrisClient client = (i % 2 == 0 ? a : b).client();
            Multipart form = pair(1 + i % 2);
            calls.add(CompletableFuture.supplyAsync(
                    () -> client.post("/api/v1/tasks/" + id + "/references", form, "application/json")));
        }
        for (CompletableFuture<HttpResponse<byte[]>> call : calls) {
            HttpResponse<byte[]> response = call.get(3, TimeUnit.MINUTES);
            assertEquals(200, response.statusCode(), new String(response.body()));
        }

        for (ServiceInstance replica : List.of(a, b)) {
            JsonNode task = IrisClient.json(replica.client().get("/api/v1/tasks/" + id));
            assertEquals(5, task.path("references").asInt(), "on the replica at port " + replica.port());
        }
        Task stored = new PostgresTaskStore(schema.dataSource()).find(id).orElseThrow();
        Set<Integer> positions = new HashSet<>();
        stored.references().forEach(r -> positions.add(r.index()));
        assertEquals(Set.of(0, 1, 2, 3, 4), positions);
    }

    /** One more reference pair: the subject at this position of {@link Hippocampus#REFERENCES}. */
    private static Multipart pair(int subject) {
        String s = Hippocampus.REFERENCES.get(subject);
        return Multipart.form().file("references", Hippocampus.image(s)).file("masks", Hippocampus.label(s));
    }

    private static boolean pause() throws InterruptedException {
        Thread.sleep(50);
        return true;
    }
}
