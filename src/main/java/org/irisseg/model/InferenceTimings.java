package org.irisseg.model;

import java.util.EnumMap;
import java.util.Map;

/** Nanoseconds spent per {@link Stage} by one request; confined to the request's thread. */
public final class InferenceTimings {

    private final long[] nanos = new long[Stage.values().length];
    private final int[] calls = new int[Stage.values().length];

    public void add(Stage stage, long elapsedNanos) {
        nanos[stage.ordinal()] += elapsedNanos;
        calls[stage.ordinal()]++;
    }

    public long nanos(Stage stage) {
        return nanos[stage.ordinal()];
    }

    public int calls(Stage stage) {
        return calls[stage.ordinal()];
    }

    public double millis(Stage stage) {
        return nanos(stage) / 1e6;
    }

    /** Time spent inside the three TorchScript modules. */
    public long modelNanos() {
        long sum = 0;
        for (Stage stage : Stage.values()) {
            if (stage.isModelCall()) {
                sum += nanos(stage);
            }
        }
        return sum;
    }

    /** Milliseconds per stage, in stage order. */
    public Map<Stage, Double> asMillis() {
        Map<Stage, Double> out = new EnumMap<>(Stage.class);
        for (Stage stage : Stage.values()) {
            out.put(stage, millis(stage));
        }
        return out;
    }
}
