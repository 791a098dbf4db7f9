package org.irisseg.support;

import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Settings every service that a test starts on its own needs: a free management port (the default 8081
 * would clash between services) and the test API keys ({@link IrisClient#API_KEYS}).
 */
public final class TestServices {

    private TestServices() {
    }

    /** {@code args}, then the management port and API keys unless {@code args} set them. */
    public static String[] args(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        if (all.stream().noneMatch(a -> a.startsWith("--management.server.port="))) {
            all.add("--management.server.port=0");
        }
        if (all.stream().noneMatch(a -> a.startsWith("--iris.security."))) {
            all.add("--iris.security.api-keys=" + IrisClient.API_KEYS);
        }
        return all.toArray(String[]::new);
    }

    /** The API port of a running service. */
    public static int port(ConfigurableApplicationContext service) {
        return ((WebServerApplicationContext) service).getWebServer().getPort();
    }

    /** The management (actuator) port of a running service. */
    public static int managementPort(ConfigurableApplicationContext service) {
        return Integer.parseInt(service.getEnvironment().getRequiredProperty("local.management.port"));
    }
}
