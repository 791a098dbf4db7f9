package org.irisseg.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.irisseg.IrisApplication;
import org.irisseg.support.Hippocampus;
import org.irisseg.support.IrisClient;
import org.irisseg.support.IrisIntegrationTest;
import org.irisseg.support.TestModels;
import org.irisseg.support.TestServices;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Registered tasks survive a restart of the service: a second instance on the same data directory serves them. */
class RestartDurabilityTest extends IrisIntegrationTest {

    @Autowired
    TaskCache cache;

    @Test
    void aSecondServiceOnTheSameStoreServesTheSameTasksAndEmbeddings() throws Exception {
        String id = registerHippocampus("durable", Hippocampus.REFERENCES.subList(0, 2));
        Task registered = cache.find(id).orElseThrow();

        Task reloaded = new FileTaskStore(STORE, JsonMapper.builder().build()).find(id).orElseThrow();
        FileTaskStoreTest.assertSameTask(registered, reloaded);

        // a second service on the same data directory whose model does not load: task metadata needs none
        try (ConfigurableApplicationContext second = new SpringApplicationBuilder(IrisApplication.class)
                .run(TestServices.args("--server.port=0", "--iris.store.dir=" + STORE,
                        "--iris.model.dir=" + TestModels.withoutModules(), "--spring.jmx.enabled=false"))) {
            int port = TestServices.port(second);
            IrisClient restarted = new IrisClient(port);
            JsonNode task = IrisClient.json(restarted.get("/api/v1/tasks/" + id));
            assertEquals(IrisClient.json(client().get("/api/v1/tasks/" + id)), task);
            List<String> ids = IrisClient.json(restarted.get("/api/v1/tasks")).valueStream()
                    .map(t -> t.path("id").asString()).toList();
            assertTrue(ids.contains(id));
            assertEquals(503, new IrisClient(TestServices.managementPort(second)).get("/actuator/health/readiness")
                    .statusCode(), "no model, not ready");
        }
    }
}
