package org.irisseg.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.irisseg.support.IrisIntegrationTest;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * {@code openapi/openapi.yaml} is the API contract and must equal what the service serves (compared as
 * YAML trees). Regenerate it after an API change with
 * {@code mvn -B test -Dtest=OpenApiContractTest -Diris.openapi.write=true}.
 */
class OpenApiContractTest extends IrisIntegrationTest {

    private static final Path CONTRACT = Path.of("openapi/openapi.yaml");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void theCheckedInContractIsWhatTheServiceServes() throws Exception {
        var response = client().get("/v3/api-docs.yaml");
        assertEquals(200, response.statusCode());
        String served = new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
        if (Boolean.getBoolean("iris.openapi.write")) {
            Files.createDirectories(CONTRACT.getParent());
            Files.writeString(CONTRACT, served);
        }
        assertTrue(Files.isRegularFile(CONTRACT), "missing " + CONTRACT.toAbsolutePath());
        JsonNode expected = YAML.readTree(Files.readString(CONTRACT));
        JsonNode actual = YAML.readTree(served);
        assertEquals(expected, actual, "openapi/openapi.yaml differs from /v3/api-docs.yaml; regenerate it with"
                + " -Diris.openapi.write=true and review the diff");
        for (String path : new String[] {"/api/v1/tasks", "/api/v1/tasks/{id}", "/api/v1/tasks/{id}/references",
                "/api/v1/segmentations"}) {
            assertTrue(actual.path("paths").has(path), path);
        }
    }

    @Test
    void swaggerUiIsServed() {
        var redirect = client().get("/swagger-ui.html");
        assertEquals(302, redirect.statusCode());
        String location = redirect.headers().firstValue("Location").orElseThrow();
        assertTrue(location.contains("/swagger-ui/index.html"), location);
        var page = client().get("/swagger-ui/index.html");
        assertEquals(200, page.statusCode());
        assertTrue(new String(page.body()).contains("swagger-ui"));
    }
}
