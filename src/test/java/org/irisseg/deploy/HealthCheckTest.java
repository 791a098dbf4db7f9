package org.irisseg.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker/HealthCheck.java, the image's HEALTHCHECK probe, against a local HTTP server that answers
 * like the actuator readiness group (200 UP, 503 OUT_OF_SERVICE).
 */
class HealthCheckTest {

    @TempDir
    static Path classes;

    private static HttpServer server;
    private static JavaTool healthCheck;

    @BeforeAll
    static void startServerAndCompile() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/ready", exchange -> answer(exchange, 200, "{\"status\":\"UP\"}"));
        server.createContext("/not-ready", exchange -> answer(exchange, 503, "{\"status\":\"OUT_OF_SERVICE\"}"));
        server.start();
        healthCheck = JavaTool.compile("HealthCheck", classes, "");
    }

    @AfterAll
    static void stopServer() {
        server.stop(0);
    }

    @Test
    void healthyWhenReadinessAnswers200() {
        JavaTool.Result result = healthCheck.run(Map.of(), 30, url("/ready"));

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("200");
    }

    @Test
    void unhealthyWhenReadinessAnswers503() {
        JavaTool.Result result = healthCheck.run(Map.of(), 30, url("/not-ready"));

        assertThat(result.exitCode()).as(result.output()).isEqualTo(1);
        assertThat(result.output()).contains("503");
    }

    @Test
    void unhealthyWhenNothingListens() throws IOException {
        int freePort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            freePort = socket.getLocalPort();
        }

        JavaTool.Result result = healthCheck.run(Map.of(), 30, "http://127.0.0.1:" + freePort + "/", "2");

        assertThat(result.exitCode()).as(result.output()).isEqualTo(1);
        assertThat(result.output()).contains("unreachable");
    }

    @Test
    void usageErrorWithoutUrl() {
        assertThat(healthCheck.run(Map.of(), 30).exitCode()).isEqualTo(2);
    }

    private static String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private static void answer(com.sun.net.httpserver.HttpExchange exchange, int status, String body)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/vnd.spring-boot.actuator.v3+json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
