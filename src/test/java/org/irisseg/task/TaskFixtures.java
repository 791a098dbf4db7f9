package org.irisseg.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;

/** Small tasks with random embeddings, for store and task-cache tests. */
final class TaskFixtures {

    static final String MODEL = "iris-small@test";
    /** The tenant of fixture tasks: that of the test API key, so a test client sees them. */
    static final String TENANT = org.irisseg.support.IrisClient.TENANT;

    private TaskFixtures() {
    }

    static Task task(int references, int dim, long seed) {
        Random random = new Random(seed);
        List<TaskClass> classes = List.of(new TaskClass(1, "anterior"), new TaskClass(2, "posterior"));
        List<TaskReference> refs = new ArrayList<>();
        for (int i = 0; i < references; i++) {
            refs.add(new TaskReference(i, sha(random), sha(random), new int[] {30, 40, 35},
                    MODEL, Map.of(1, vector(random, dim), 2, vector(random, dim)), Map.of(1, 1.5 + i, 2, 2.25 + i)));
        }
        return new Task(UUID.randomUUID().toString(), TENANT, "hippocampus", classes, refs, MODEL,
                Instant.parse("2026-01-02T03:04:05.678Z").plusSeconds(seed));
    }

    /**
     * The same task with the references at these positions encoded inside a focus box too: a side with every
     * bit of a double in use, and random focus embeddings of the embeddings' length that also hold a negative
     * zero and the smallest subnormal float.
     */
    static Task withFocus(Task task, long seed, int... positions) {
        Random random = new Random(seed);
        List<TaskReference> refs = new ArrayList<>(task.references());
        for (int i : positions) {
            TaskReference r = refs.get(i);
            Map<Integer, float[]> focus = new TreeMap<>();
            r.embeddings().forEach((label, e) -> {
                float[] v = vector(random, e.length);
                v[0] = -0.0f;
                v[v.length - 1] = Float.MIN_VALUE;
                focus.put(label, v);
            });
            refs.set(i, new TaskReference(r.index(), r.imageSha256(), r.maskSha256(), r.shape(), r.modelVersion(),
                    r.embeddings(), r.volumesMl(), new ReferenceFocus(48 + random.nextDouble() * 100, focus)));
        }
        return new Task(task.id(), task.tenant(), task.name(), task.classes(), refs, task.modelVersion(),
                task.createdAt());
    }

    /** The same task owned by another tenant. */
    static Task ofTenant(Task task, String tenant) {
        return new Task(task.id(), tenant, task.name(), task.classes(), task.references(), task.modelVersion(),
                task.createdAt());
    }

    /**
     * A store's listing is per tenant and paged, oldest first: five tasks of one tenant saved out of order,
     * two of another; each page holds exactly its tenant's tasks.
     */
    static void assertListsPagesPerTenant(TaskStore store) {
        String a = "tenant-a-" + UUID.randomUUID();
        String b = "tenant-b-" + UUID.randomUUID();
        List<Task> ofA = new ArrayList<>();
        for (long seed : new long[] {30, 10, 50, 20, 40}) {
            Task task = ofTenant(task(1, 4, seed), a);
            store.save(task);
            ofA.add(task);
        }
        store.save(ofTenant(task(1, 4, 15), b));
        store.save(ofTenant(task(1, 4, 5), b));
        List<TaskSummary> oldestFirst = ofA.stream().map(Task::summary)
                .sorted(Comparator.comparing(TaskSummary::createdAt)).toList();

        assertEquals(5, store.count(a));
        assertEquals(2, store.count(b));
        assertEquals(0, store.count("tenant-c-" + UUID.randomUUID()));
        assertEquals(oldestFirst.subList(0, 2), store.list(a, 0, 2));
        assertEquals(oldestFirst.subList(2, 4), store.list(a, 2, 2));
        assertEquals(oldestFirst.subList(4, 5), store.list(a, 4, 2));
        assertEquals(List.of(), store.list(a, 5, 2));
        assertTrue(store.list(b, 0, 500).stream().allMatch(t -> t.tenant().equals(b)));
        assertEquals(2, store.list(b, 0, 500).size());
    }

    static float[] vector(Random random, int dim) {
        float[] v = new float[dim];
        for (int i = 0; i < dim; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }

    private static String sha(Random random) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 64; i++) {
            s.append(Character.forDigit(random.nextInt(16), 16));
        }
        return s.toString();
    }
}
