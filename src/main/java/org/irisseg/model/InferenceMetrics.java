package org.irisseg.model;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Micrometer meters of the inference path: {@code iris.inference.stage} per stage (image encoding,
 * task encoding, decoding), {@code iris.inference.queue.wait}, {@code iris.segmentation} per mode, and
 * gauges of waiting and busy requests. Timers publish histograms so Prometheus can compute quantiles.
 */
@Component
public class InferenceMetrics {

    private final MeterRegistry registry;
    private final Map<Stage, Timer> stageTimers = new EnumMap<>(Stage.class);
    private final Map<String, Timer> segmentationTimers = new ConcurrentHashMap<>();

    public InferenceMetrics(MeterRegistry registry, ModelRuntime runtime) {
        this.registry = registry;
        for (Stage stage : Stage.values()) {
            Timer timer = stage == Stage.QUEUE_WAIT
                    ? Timer.builder("iris.inference.queue.wait")
                            .description("Time a request waited for a free predictor set")
                            .publishPercentileHistogram()
                            .register(registry)
                    : Timer.builder("iris.inference.stage")
                            .description("Time inside one TorchScript module per request")
                            .tag("stage", stage.label())
                            .publishPercentileHistogram()
                            .register(registry);
            stageTimers.put(stage, timer);
        }
        Gauge.builder("iris.inference.queue.waiting", runtime, ModelRuntime::waiting)
                .description("Requests waiting for a predictor set").register(registry);
        Gauge.builder("iris.inference.active", runtime, ModelRuntime::inUse)
                .description("Inferences running now").register(registry);
    }

    /** Records every stage a request went through. */
    public void record(InferenceTimings timings) {
        for (Stage stage : Stage.values()) {
            if (timings.calls(stage) > 0) {
                stageTimers.get(stage).record(Duration.ofNanos(timings.nanos(stage)));
            }
        }
    }

    /** Records one segmentation request, from parameters to label map, under its mode. */
    public void recordSegmentation(String mode, long nanos) {
        segmentationTimers.computeIfAbsent(mode, m -> Timer.builder("iris.segmentation")
                        .description("Segmentation requests from parameters to label map, per mode")
                        .tag("mode", m)
                        .publishPercentileHistogram()
                        .register(registry))
                .record(Duration.ofNanos(nanos));
    }
}
