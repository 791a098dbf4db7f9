package org.irisseg.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Real HTTP calls against a running service (java.net.http), with small helpers for the Iris API. */
public final class IrisClient {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    public IrisClient(int port) {
        this.base = URI.create("http://localhost:" + port);
    }

    public HttpResponse<byte[]> post(String path, Multipart form, String accept) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofMinutes(2))
                .header("Content-Type", form.contentType())
                .POST(HttpRequest.BodyPublishers.ofByteArray(form.bytes()));
        if (accept != null) {
            request.header("Accept", accept);
        }
        return send(request.build());
    }

    public HttpResponse<byte[]> get(String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofMinutes(1)).GET().build());
    }

    public HttpResponse<byte[]> delete(String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofMinutes(1)).DELETE().build());
    }

    public HttpResponse<byte[]> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static JsonNode json(HttpResponse<byte[]> response) {
        return JSON.readTree(response.body());
    }

    /** Registers a task and returns its id; fails unless the answer is 201. */
    public String registerTask(Multipart form) {
        HttpResponse<byte[]> response = post("/api/v1/tasks", form, "application/json");
        if (response.statusCode() != 201) {
            throw new AssertionError("registration answered " + response.statusCode() + ": "
                    + new String(response.body()));
        }
        return json(response).path("id").asString();
    }
}
