package org.irisseg.model;

/**
 * DJL system properties that must be set before the PyTorch engine loads: offline (the CPU natives
 * come from the classpath, nothing is downloaded at run time) and no profiling graph optimiser (query
 * shapes vary per request; re-optimising per shape costs more than it saves). Explicit {@code -D}
 * settings win, and DJL itself gives the {@code DJL_OFFLINE} environment variable precedence.
 */
public final class DjlSettings {

    private DjlSettings() {
    }

    public static void apply() {
        setIfAbsent("ai.djl.offline", "true");
        setIfAbsent("ai.djl.pytorch.graph_optimizer", "false");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
