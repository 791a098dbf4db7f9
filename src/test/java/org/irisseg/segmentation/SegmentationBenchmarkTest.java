package org.irisseg.segmentation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.irisseg.config.IrisProperties;
import org.irisseg.model.BoundedPool;
import org.irisseg.model.ImageFeatures;
import org.irisseg.model.InferenceSession;
import org.irisseg.model.InferenceTimings;
import org.irisseg.support.IrisClient;
import org.irisseg.support.Hippocampus;
import org.irisseg.support.IrisIntegrationTest;
import org.irisseg.support.Multipart;
import org.irisseg.support.TestPaths;
import org.irisseg.task.Task;
import org.irisseg.task.TaskService;
import org.irisseg.volume.OrientedVolume;
import org.irisseg.volume.VolumeReader;
import org.irisseg.volume.VolumeUpload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Hand-run benchmark of POST /api/v1/segmentations over real HTTP (not part of CI):
 * <pre>mvn -B test -Dtest=SegmentationBenchmarkTest -Diris.bench=true -Diris.test.max-members=0 -Diris.test.max-concurrent=1</pre>
 * (the service's default member check, not the shared test context's).
 * Prints, and writes to {@code target/benchmark.txt}: the p50 of one-shot requests (hippocampus-size query,
 * task cached), ten requests against one cached task versus ten bare model calls (image encoding + decoding
 * straight through the predictors), ensemble over 10 references versus one-shot, and the service overhead
 * (request time outside the three TorchScript calls) as a share of a request. The three series are
 * interleaved in one run, so ratios compare like with like on a shared machine.
 */
@EnabledIfSystemProperty(named = "iris.bench", matches = "true", disabledReason = "run by hand with -Diris.bench=true")
class SegmentationBenchmarkTest extends IrisIntegrationTest {

    private static final int WARM_UP = 5;
    private static final int RUNS = 30;

    @Autowired
    TaskService tasks;

    @Autowired
    IrisProperties properties;

    @Autowired
    VolumeReader reader;

    @Test
    void benchmark() throws Exception {
        TestPaths.assumeHippocampus();
        assumeModelReady();
        assertEquals(IrisProperties.Inference.defaults().maxConcurrent(), properties.inference().maxConcurrent(),
                "measure the service's default: -Diris.test.max-concurrent="
                        + IrisProperties.Inference.defaults().maxConcurrent());
        assertEquals(IrisProperties.Quality.defaults().maxMembers(), properties.quality().maxMembers(),
                "measure the service's default: -Diris.test.max-members=" + IrisProperties.Quality.defaults().maxMembers());
        String query = Hippocampus.QUERIES.get(0);
        List<String> references = tenReferences(query);
        String task = client().registerTask(Hippocampus.taskForm("bench", references));
        Multipart oneShot = Multipart.form().file("image", Hippocampus.image(query)).field("taskId", task)
                .field("mode", "one-shot");
        Multipart ensemble = Multipart.form().file("image", Hippocampus.image(query)).field("taskId", task)
                .field("mode", "ensemble");

        Task cached = tasks.get(IrisClient.TENANT, task);
        float[][] embedding = EmbeddingSelection.oneShot(cached, cached.classes(), 0).embeddings();
        VolumeUpload upload = new VolumeUpload(query, () -> Files.newInputStream(Hippocampus.image(query)));
        OrientedVolume volume = reader.readImage(upload, "image");

        // interleaved, so that load from other processes hits all three series alike
        for (int i = 0; i < WARM_UP; i++) {
            check(client().post("/api/v1/segmentations", oneShot, null));
            check(client().post("/api/v1/segmentations", ensemble, null));
            bareDecode(volume, embedding);
        }
        Series oneShotRuns = new Series();
        Series ensembleRuns = new Series();
        List<Double> bare = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            oneShotRuns.add(timed(oneShot));
            ensembleRuns.add(timed(ensemble));
            long start = System.nanoTime();
            bareDecode(volume, embedding);
            bare.add((System.nanoTime() - start) / 1e6);
        }
        // ten queries against the cached task vs ten bare model calls, per block of ten runs
        List<Double> tenRatios = new ArrayList<>();
        for (int block = 0; block + 10 <= RUNS; block += 10) {
            double requests = oneShotRuns.wall.subList(block, block + 10).stream().mapToDouble(d -> d).sum();
            double models = bare.subList(block, block + 10).stream().mapToDouble(d -> d).sum();
            tenRatios.add(requests / models);
        }

        int[] shape = volume.shape();
        String report = String.join("\n",
                "Iris service benchmark (" + model.modelVersion() + ", " + Runtime.getRuntime().availableProcessors()
                        + " CPUs, " + System.getProperty("os.arch") + ", Java " + System.getProperty("java.version")
                        + ")",
                "query " + query + " canonical " + Arrays.toString(shape) + ", task of " + references.size()
                        + " references, " + RUNS + " timed runs after " + WARM_UP + " warm-up, iris.quality.max-members="
                        + properties.quality().maxMembers(),
                String.format(Locale.ROOT, "one-shot request       p50 %7.1f ms  p90 %7.1f ms", oneShotRuns.p(50),
                        oneShotRuns.p(90)),
                String.format(Locale.ROOT, "ensemble (10 refs)     p50 %7.1f ms  p90 %7.1f ms", ensembleRuns.p(50),
                        ensembleRuns.p(90)),
                String.format(Locale.ROOT, "ensemble / one-shot    %.3f (target <= 1.1)",
                        ensembleRuns.p(50) / oneShotRuns.p(50)),
                String.format(Locale.ROOT, "bare encode+decode     p50 %7.1f ms", Series.percentile(bare, 50)),
                String.format(Locale.ROOT, "10 requests / 10 bare encode+decode, per block of ten: %s (target <= 1.2)",
                        tenRatios.stream().map(r -> String.format(Locale.ROOT, "%.3f", r)).toList()),
                String.format(Locale.ROOT, "service overhead (outside TorchScript) p50 %.1f%% of a one-shot request"
                        + " (target < 20%%)", 100 * oneShotRuns.overheadP50()),
                String.format(Locale.ROOT, "model time per one-shot request p50 %.1f ms", oneShotRuns.modelP50()),
                "one-shot stages: " + oneShotRuns.stages(),
                "ensemble stages: " + ensembleRuns.stages());
        System.out.println(report);
        Files.writeString(Path.of("target/benchmark.txt"), report + "\n");
    }

    private void bareDecode(OrientedVolume volume, float[][] embedding) {
        InferenceTimings timings = new InferenceTimings();
        try (BoundedPool.Lease<InferenceSession> lease = model.lease(timings);
                ImageFeatures features = lease.get().encodeImage(volume.shape(), volume.canonical().data(), timings)) {
            lease.get().decode(features, embedding, timings);
        }
    }

    private static List<String> tenReferences(String query) throws IOException {
        try (var files = Files.list(TestPaths.hippocampus().resolve("labelsTr"))) {
            return files.map(p -> p.getFileName().toString().replace(".nii.gz", "")).sorted()
                    .filter(s -> !s.equals(query)).limit(10).toList();
        }
    }

    /** One request: client wall time and the model time it reports. */
    private double[] timed(Multipart form) {
        long start = System.nanoTime();
        HttpResponse<byte[]> response = client().post("/api/v1/segmentations", form, null);
        long wall = System.nanoTime() - start;
        check(response);
        String timing = response.headers().firstValue("Server-Timing").orElseThrow();
        return new double[] {wall / 1e6, modelMillis(timing), stageMillis(timing, "image-encoding"),
                stageMillis(timing, "decoding"), stageMillis(timing, "quality")};
    }

    /** image-encoding + task-encoding + decoding from the Server-Timing header. */
    static double modelMillis(String serverTiming) {
        return stageMillis(serverTiming, "image-encoding") + stageMillis(serverTiming, "task-encoding")
                + stageMillis(serverTiming, "decoding");
    }

    static double stageMillis(String serverTiming, String stage) {
        for (String part : serverTiming.split(",\\s*")) {
            String[] nameAndDuration = part.split(";dur=");
            if (nameAndDuration[0].equals(stage)) {
                return Double.parseDouble(nameAndDuration[1]);
            }
        }
        return 0;
    }

    private static void check(HttpResponse<byte[]> response) {
        assertEquals(200, response.statusCode(), new String(response.body()));
    }

    /** Wall times of requests (client side) and their model times. */
    private static final class Series {
        private final List<Double> wall = new ArrayList<>();
        private final List<Double> overhead = new ArrayList<>();
        private final List<Double> model = new ArrayList<>();
        private final List<Double> imageEncoding = new ArrayList<>();
        private final List<Double> decoding = new ArrayList<>();
        private final List<Double> quality = new ArrayList<>();

        void add(double[] wallAndModelMs) {
            wall.add(wallAndModelMs[0]);
            model.add(wallAndModelMs[1]);
            imageEncoding.add(wallAndModelMs[2]);
            decoding.add(wallAndModelMs[3]);
            quality.add(wallAndModelMs[4]);
            overhead.add((wallAndModelMs[0] - wallAndModelMs[1]) / wallAndModelMs[0]);
        }

        double p(int percentile) {
            return percentile(wall, percentile);
        }

        double overheadP50() {
            return percentile(overhead, 50);
        }

        double modelP50() {
            return percentile(model, 50);
        }

        String stages() {
            return String.format(Locale.ROOT, "image-encoding p50 %.1f ms, decoding p50 %.1f ms, quality p50 %.1f ms",
                    percentile(imageEncoding, 50), percentile(decoding, 50), percentile(quality, 50));
        }

        static double percentile(List<Double> values, int p) {
            List<Double> sorted = values.stream().sorted().toList();
            return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
        }
    }
}
