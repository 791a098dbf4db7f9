package org.irisseg.task;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
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
