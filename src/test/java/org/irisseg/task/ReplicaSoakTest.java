package org.irisseg.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import org.irisseg.support.Concurrently;
import org.irisseg.support.Hippocampus;
import org.irisseg.support.IrisClient;
import org.irisseg.support.IrisIntegrationTest;
import org.irisseg.support.Multipart;
import org.irisseg.support.NiftiBytes;
import org.irisseg.support.PostgresDatabase;
import org.irisseg.support.ServiceInstance;
import org.irisseg.support.TestPaths;
import org.junit.jupiter.api.Test;

/**
 * A short soak of two replicas on one database (the long one is {@code scripts/soak.py}): clients send
 * registrations, added references and segmentations to both for a while, with a burst of oversized
 * uploads half-way. Only the expected answers or 429/503 (and 413 for the oversized ones) come back,
 * every registered task is served by both replicas afterwards, and the heap stays below its maximum.
 */
class ReplicaSoakTest {

    private static final int CLIENTS = 6;
    private static final Duration DURATION = Duration.ofSeconds(20);
    private static final Set<Integer> BUSY = Set.of(429, 503);

    private final Map<String, Integer> tasks = new ConcurrentHashMap<>();
    private final List<String> unexpected = new CopyOnWriteArrayList<>();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong peakHeap = new AtomicLong();

    @Test
    void twoReplicasUnderMixedLoadAnswerOnlyExpectedStatusesAndKeepEveryTask() throws Exception {
        TestPaths.assumeHippocampus();
        try (PostgresDatabase.Schema schema = PostgresDatabase.newSchema();
                ServiceInstance a = ServiceInstance.startReady(schema.url());
                ServiceInstance b = ServiceInstance.startReady(schema.url())) {
            List<IrisClient> replicas = List.of(a.client(), b.client());
            tasks.put(replicas.get(0).registerTask(Hippocampus.taskForm("seed", Hippocampus.REFERENCES.subList(0, 1))), 1);
            long end = System.nanoTime() + DURATION.toNanos();
            Concurrently.run(CLIENTS + 1, i -> {
                if (i == CLIENTS) {
                    Thread.sleep(DURATION.toMillis() / 2);
                    oversizedBurst(replicas);
                    return;
                }
                Random random = new Random(i);
                while (System.nanoTime() < end) {
                    step(replicas.get(random.nextInt(2)), random);
                    sampleHeap();
                }
            }, DURATION.plusMinutes(3));

            System.out.printf("replica soak: %d requests, %d tasks, peak heap %d MiB of %d MiB%n", requests.get(),
                    tasks.size(), peakHeap.get() >> 20, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax() >> 20);
            assertEquals(List.of(), unexpected);
            for (Map.Entry<String, Integer> task : tasks.entrySet()) {
                for (IrisClient replica : replicas) {
                    HttpResponse<byte[]> read = replica.get("/api/v1/tasks/" + task.getKey());
                    assertEquals(200, read.statusCode(), "task " + task.getKey());
                    assertTrue(IrisClient.json(read).path("references").asInt() >= task.getValue());
                }
            }
            MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
            assertTrue(peakHeap.get() < heap.getMax(), "heap reached its maximum");
        }
    }

    private void step(IrisClient replica, Random random) {
        List<String> ids = new ArrayList<>(tasks.keySet());
        String task = ids.get(random.nextInt(ids.size()));
        int kind = random.nextInt(10);
        if (kind < 2) {
            HttpResponse<byte[]> r = call(replica.post("/api/v1/tasks", Hippocampus.taskForm("soak",
                    Hippocampus.REFERENCES.subList(random.nextInt(2), 3)), "application/json"), 201);
            if (r.statusCode() == 201) {
                tasks.put(IrisClient.json(r).path("id").asString(), IrisClient.json(r).path("references").asInt());
            }
        } else if (kind < 4) {
            String s = Hippocampus.REFERENCES.get(random.nextInt(3));
            HttpResponse<byte[]> r = call(replica.post("/api/v1/tasks/" + task + "/references", Multipart.form()
                    .file("references", Hippocampus.image(s)).file("masks", Hippocampus.label(s)), "application/json"), 200);
            if (r.statusCode() == 200) {
                tasks.merge(task, IrisClient.json(r).path("references").asInt(), Math::max);
            }
        } else if (kind < 9) {
            call(replica.post("/api/v1/segmentations", Multipart.form().field("taskId", task).file("image",
                    Hippocampus.image(Hippocampus.QUERIES.get(random.nextInt(5)))), "application/json"), 200);
        } else {
            call(replica.get("/api/v1/tasks"), 200);
        }
    }

    private void oversizedBurst(List<IrisClient> replicas) throws Exception {
        String task = tasks.keySet().iterator().next();
        byte[] overLimit = new byte[(int) IrisIntegrationTest.MAX_UPLOAD_BYTES + (1 << 20)];
        byte[] declaredHuge = NiftiBytes.volume(8, 8, 8).blob().declaredDims(512, 512, 512).nii();
        Concurrently.run(8, i -> call(replicas.get(i % 2).post("/api/v1/segmentations", Multipart.form()
                .field("taskId", task).file("image", "big.nii", i % 4 < 2 ? overLimit : declaredHuge), "application/json"),
                413));
    }

    private HttpResponse<byte[]> call(HttpResponse<byte[]> response, int expected) {
        requests.incrementAndGet();
        if (response.statusCode() != expected && !BUSY.contains(response.statusCode())) {
            unexpected.add(response.statusCode() + " (expected " + expected + "): " + new String(response.body()));
        }
        return response;
    }

    private void sampleHeap() {
        peakHeap.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
    }
}
