package org.irisseg.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import org.irisseg.support.IrisClient;
import org.irisseg.support.IrisIntegrationTest;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/** The built-in classes of the bundled model (its memory bank), over HTTP. */
class CatalogueApiTest extends IrisIntegrationTest {

    @Test
    void theCatalogueListsTheHippocampusClassesOfTheBundledModel() throws Exception {
        assumeModelReady();
        HttpResponse<byte[]> response = client().get("/api/v1/catalogue");
        assertEquals(200, response.statusCode());
        JsonNode body = IrisClient.json(response);
        assertEquals(model.modelVersion(), body.path("modelVersion").asString());
        List<String> ids = new ArrayList<>();
        body.path("classes").forEach(c -> ids.add(c.path("id").asString()));
        assertTrue(ids.containsAll(List.of("hippocampus/whole/anterior", "hippocampus/whole/posterior")), ids.toString());
        JsonNode first = body.path("classes").get(0);
        assertEquals(first.path("id").asString(), first.path("dataset").asString() + "/" + first.path("view").asString()
                + "/" + first.path("name").asString());
        assertTrue(first.path("updates").asLong() >= 20);
    }
}
