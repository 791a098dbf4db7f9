package org.irisseg.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Real HTTP calls against a running service (java.net.http), with small helpers for the Iris API. */
public final class IrisClient {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    /** Sent with every request of this client. */
    private final Map<String, String> headers;

    public IrisClient(int port) {
        this(URI.create("http://localhost:" + port), Map.of());
    }

    private IrisClient(URI base, Map<String, String> headers) {
        this.base = base;
        this.headers = Map.copyOf(headers);
    }

    /** A client like this one that also sends {@code name: value} with every request. */
    public IrisClient withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new IrisClient(base, more);
    }

    public HttpResponse<byte[]> post(String path, Multipart form, String accept) {
        return post(path, form.contentType(), HttpRequest.BodyPublishers.ofByteArray(form.bytes()), accept);
    }

    /** A POST whose body comes from a publisher (e.g. a stream that arrives slowly). */
    public HttpResponse<byte[]> post(String path, String contentType, HttpRequest.BodyPublisher body, String accept) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofMinutes(2))
                .header("Content-Type", contentType)
                .POST(body);
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
        HttpRequest.Builder builder = HttpRequest.newBuilder(request, (name, value) -> true);
        headers.forEach(builder::setHeader);
        try {
            return http.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
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
