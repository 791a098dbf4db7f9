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

/**
 * Real HTTP calls against a running service (java.net.http), with small helpers for the Iris API. Every call
 * carries the test API key of tenant {@value #TENANT} unless the client was made with other credentials.
 */
public final class IrisClient {

    /** Tenant of the default test key. */
    public static final String TENANT = "test";
    /** The key every test client sends by default (header X-API-Key). */
    public static final String API_KEY = "iris-test-key-of-tenant-test";
    /** A second tenant and its key, for the isolation tests. */
    public static final String OTHER_TENANT = "other";
    public static final String OTHER_API_KEY = "iris-test-key-of-tenant-other";
    /** A key of tenant {@value #TENANT} with scope iris.read only, configured by its SHA-256 in the shared context. */
    public static final String READ_ONLY_API_KEY = "iris-test-read-only-key";
    /** The {@code iris.security.api-keys} setting that accepts both test keys. */
    public static final String API_KEYS = TENANT + ":" + API_KEY + "," + OTHER_TENANT + ":" + OTHER_API_KEY;

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    /** Sent with every request of this client. */
    private final Map<String, String> headers;

    /** A client with the default test key. */
    public IrisClient(int port) {
        this(port, Map.of("X-API-Key", API_KEY));
    }

    /** A client that sends these headers with every call (credentials, Origin, ...). */
    public IrisClient(int port, Map<String, String> headers) {
        this(URI.create("http://localhost:" + port), headers);
    }

    private IrisClient(URI base, Map<String, String> headers) {
        this.base = base;
        this.headers = Map.copyOf(headers);
    }

    /** A client without any credentials. */
    public static IrisClient anonymous(int port) {
        return new IrisClient(port, Map.of());
    }

    /** A client with this API key. */
    public static IrisClient withKey(int port, String key) {
        return new IrisClient(port, Map.of("X-API-Key", key));
    }

    /** A client with this bearer token. */
    public static IrisClient withToken(int port, String token) {
        return new IrisClient(port, Map.of("Authorization", "Bearer " + token));
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
        HttpRequest.Builder request = request(path)
                .timeout(Duration.ofMinutes(2))
                .header("Content-Type", contentType)
                .POST(body);
        if (accept != null) {
            request.header("Accept", accept);
        }
        return send(request.build());
    }

    public HttpResponse<byte[]> get(String path) {
        return send(request(path).timeout(Duration.ofMinutes(1)).GET().build());
    }

    public HttpResponse<byte[]> delete(String path) {
        return send(request(path).timeout(Duration.ofMinutes(1)).DELETE().build());
    }

    /** A request to this path; {@link #send} adds this client's headers. */
    public HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.resolve(path));
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
