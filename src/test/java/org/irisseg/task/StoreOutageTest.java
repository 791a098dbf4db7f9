package org.irisseg.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;

import org.irisseg.support.IrisClient;
import org.irisseg.support.PostgresDatabase;
import org.irisseg.support.ProblemAssertions;
import org.irisseg.support.ServiceInstance;
import org.irisseg.support.TcpProxy;
import org.irisseg.support.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/**
 * The database going away while the service runs, simulated by cutting a proxy between the two (the local
 * server itself keeps running): requests that need the store answer 503 store-unavailable with
 * Retry-After, health shows the database down, and both recover once it is back. No model is needed.
 */
class StoreOutageTest {

    private static PostgresDatabase.Schema schema;
    private static TcpProxy proxy;
    private static ServiceInstance service;
    private static Task task;

    @BeforeAll
    static void startBehindAProxy() throws Exception {
        schema = PostgresDatabase.newSchema().migrated();
        task = TaskFixtures.task(1, 8, 1);
        new PostgresTaskStore(schema.dataSource()).save(task);
        proxy = new TcpProxy(PostgresDatabase.serverPort());
        service = ServiceInstance.start(schema.urlThrough("127.0.0.1", proxy.port()), TestModels.withoutModules());
    }

    @AfterAll
    static void stop() throws Exception {
        if (service != null) {
            service.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (schema != null) {
            schema.close();
        }
    }

    @Test
    void requestsAnswer503WhileTheDatabaseIsDownAndRecoverWhenItReturns() throws Exception {
        IrisClient client = service.client();
        assertEquals(200, client.get("/api/v1/tasks").statusCode());
        try {
            proxy.cut();

            HttpResponse<byte[]> down = client.get("/api/v1/tasks");
            ProblemAssertions.assertProblem(down, 503, "store-unavailable");
            assertTrue(down.headers().firstValue("Retry-After").isPresent());
            assertEquals("DOWN", database(service.managementClient()));
        } finally {
            proxy.restore();
        }
        long restored = System.nanoTime();
        while (client.get("/api/v1/tasks").statusCode() != 200) {
            assertTrue(System.nanoTime() - restored < Duration.ofSeconds(30).toNanos(), "no recovery in 30 s");
            Thread.sleep(200);
        }
        System.out.printf("store outage: recovered %d ms after the database returned%n",
                (System.nanoTime() - restored) / 1_000_000);
        assertEquals("UP", database(service.managementClient()));
        assertEquals(200, client.get("/api/v1/tasks/" + task.id()).statusCode());
    }

    @Test
    void aTaskNotInMemoryAnswers503NotAnErrorWhileTheDatabaseIsDown() throws Exception {
        try {
            proxy.cut();

            HttpResponse<byte[]> down = service.client().get("/api/v1/tasks/" + UUID.randomUUID());

            ProblemAssertions.assertProblem(down, 503, "store-unavailable");
        } finally {
            proxy.restore();
        }
    }

    /** Status of the health component {@code db}. */
    private static String database(IrisClient client) {
        JsonNode health = IrisClient.json(client.get("/actuator/health"));
        return health.path("components").path("db").path("status").asString();
    }
}
