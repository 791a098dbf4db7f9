package org.irisseg.support;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.irisseg.IrisApplication;
import org.irisseg.model.ModelRuntime;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One replica of the service in this JVM on the PostgreSQL store, over real HTTP on a port of its own:
 * several of them on one schema are replicas of one deployment. Upload limit and memory budget as in
 * {@link IrisIntegrationTest}.
 */
public final class ServiceInstance implements AutoCloseable {

    private final ConfigurableApplicationContext context;

    private ServiceInstance(ConfigurableApplicationContext context) {
        this.context = context;
    }

    /**
     * Starts a replica on the database at {@code datasourceUrl} with the model in {@code modelDir};
     * {@code extra} are further {@code --key=value} settings.
     */
    public static ServiceInstance start(String datasourceUrl, Path modelDir, String... extra) {
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--spring.jmx.enabled=false",
                "--iris.store.type=postgres", "--spring.datasource.url=" + datasourceUrl,
                "--spring.datasource.username=" + PostgresDatabase.USER,
                "--iris.model.dir=" + modelDir, "--iris.store.max-staleness=2s",
                "--spring.servlet.multipart.max-file-size=" + IrisIntegrationTest.MAX_UPLOAD_BYTES + "B",
                "--spring.servlet.multipart.max-request-size=" + 4 * IrisIntegrationTest.MAX_UPLOAD_BYTES + "B",
                "--iris.admission.max-bytes=" + IrisIntegrationTest.MEMORY_BUDGET_BYTES));
        args.addAll(List.of(extra));
        return new ServiceInstance(new SpringApplicationBuilder(IrisApplication.class)
                .run(TestServices.args(args.toArray(String[]::new))));
    }

    /**
     * Starts one instance on the file store in {@code storeDir} (no database) with the model under test;
     * {@code extra} are further {@code --key=value} settings.
     */
    public static ServiceInstance startOnFiles(Path storeDir, String... extra) {
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--spring.jmx.enabled=false",
                "--iris.store.type=file", "--iris.store.dir=" + storeDir, "--iris.model.dir=" + TestPaths.modelDir(),
                "--spring.servlet.multipart.max-file-size=" + IrisIntegrationTest.MAX_UPLOAD_BYTES + "B",
                "--spring.servlet.multipart.max-request-size=" + 4 * IrisIntegrationTest.MAX_UPLOAD_BYTES + "B",
                "--iris.admission.max-bytes=" + IrisIntegrationTest.MEMORY_BUDGET_BYTES));
        args.addAll(List.of(extra));
        return new ServiceInstance(new SpringApplicationBuilder(IrisApplication.class)
                .run(TestServices.args(args.toArray(String[]::new))));
    }

    /** Waits until the model is ready; fails when it does not load. */
    public ServiceInstance awaitModel() throws InterruptedException {
        ModelRuntime model = context.getBean(ModelRuntime.class);
        assertTrue(model.awaitReady(Duration.ofMinutes(5)), "model did not load: " + model.failure());
        return this;
    }

    /** Starts a replica with the model under test and waits until it is ready; fails when it does not load. */
    public static ServiceInstance startReady(String datasourceUrl, String... extra) throws InterruptedException {
        ServiceInstance instance = start(datasourceUrl, TestPaths.assumeModel(), extra);
        ModelRuntime model = instance.context.getBean(ModelRuntime.class);
        assertTrue(model.awaitReady(Duration.ofMinutes(5)), "model did not load: " + model.failure());
        return instance;
    }

    public int port() {
        return TestServices.port(context);
    }

    /** A client of the API port with the test key. */
    public IrisClient client() {
        return new IrisClient(port());
    }

    /** A client of the management (actuator) port with the test key. */
    public IrisClient managementClient() {
        return new IrisClient(TestServices.managementPort(context));
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    @Override
    public void close() {
        context.close();
    }
}
