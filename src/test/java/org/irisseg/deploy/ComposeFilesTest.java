package org.irisseg.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** docker-compose.yml, its GPU override and the Prometheus configuration agree with the image. */
class ComposeFilesTest {

    private static final Map<String, Object> COMPOSE = load("docker-compose.yml");
    private static final Map<String, Object> GPU = load("docker-compose.gpu.yml");

    @Test
    void serviceKeepsItsDataInANamedVolumeAtTheStoreDirectory() {
        Map<String, Object> service = service(COMPOSE, "iris-service");
        Map<String, Object> environment = map(service, "environment");

        assertThat(environment).containsEntry("IRIS_STORE_DIR", "/data");
        assertThat(list(service, "volumes")).contains("iris-data:/data");
        assertThat(map(COMPOSE, "volumes")).containsKey("iris-data");
    }

    @Test
    void serviceIsBuiltFromTheDockerfileAndPublishedOnPort8080() {
        Map<String, Object> service = service(COMPOSE, "iris-service");

        assertThat(map(map(service, "build"), "args")).containsEntry("FLAVOUR", "cpu");
        assertThat(map(service, "build")).containsEntry("context", ".");
        assertThat(list(service, "ports")).containsExactly("8080:8080");
        assertThat(service).containsEntry("read_only", true);
        assertThat(list(service, "tmpfs")).anySatisfy(t -> assertThat((String) t).startsWith("/tmp"));
    }

    @Test
    void prometheusIsOptionalAndScrapesTheActuatorEndpoint() {
        Map<String, Object> prometheus = service(COMPOSE, "prometheus");
        Map<String, Object> config = load("deploy/prometheus.yml");
        @SuppressWarnings("unchecked")
        Map<String, Object> job = ((List<Map<String, Object>>) config.get("scrape_configs")).get(0);
        @SuppressWarnings("unchecked")
        List<String> targets = ((List<Map<String, List<String>>>) job.get("static_configs")).get(0).get("targets");

        assertThat(list(prometheus, "profiles")).containsExactly("monitoring");
        assertThat(list(prometheus, "volumes")).contains("./deploy/prometheus.yml:/etc/prometheus/prometheus.yml:ro");
        assertThat(job).containsEntry("metrics_path", "/actuator/prometheus");
        assertThat(targets).containsExactly("iris-service:8081");
    }

    @Test
    void thePostgresProfileRunsTheServiceOnADatabaseOfItsOwn() {
        Map<String, Object> postgres = service(COMPOSE, "postgres");
        Map<String, Object> service = service(COMPOSE, "iris-service-pg");
        Map<String, Object> environment = map(service, "environment");

        assertThat(list(postgres, "profiles")).containsExactly("postgres");
        assertThat(list(service, "profiles")).containsExactly("postgres");
        assertThat((String) postgres.get("image")).startsWith("postgres:15");
        assertThat(environment).containsEntry("IRIS_STORE_TYPE", "postgres")
                .containsEntry("SPRING_DATASOURCE_URL", "jdbc:postgresql://postgres:5432/iris")
                .containsEntry("SPRING_DATASOURCE_USERNAME", map(postgres, "environment").get("POSTGRES_USER"));
        assertThat(map(map(service, "depends_on"), "postgres")).containsEntry("condition", "service_healthy");
        assertThat(map(COMPOSE, "volumes")).containsKey("iris-db");
        assertThat(map(service(COMPOSE, "iris-service"), "environment")).doesNotContainKey("IRIS_STORE_TYPE");
    }

    @Test
    void apiKeysComeFromTheEnvironmentAndActuatorIsNotPublished() {
        for (String name : new String[] {"iris-service", "iris-service-pg"}) {
            Map<String, Object> service = service(COMPOSE, name);
            assertThat((String) map(service, "environment").get("IRIS_API_KEYS")).startsWith("${IRIS_API_KEYS:");
            assertThat(list(service, "ports")).noneSatisfy(p -> assertThat((String) p).endsWith(":8081"));
        }
    }

    @Test
    void gpuOverrideBuildsTheCudaImageAndReservesAnNvidiaGpu() {
        Map<String, Object> service = service(GPU, "iris-service");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> devices = (List<Map<String, Object>>)
                map(map(map(service, "deploy"), "resources"), "reservations").get("devices");

        assertThat(map(map(service, "build"), "args")).containsEntry("FLAVOUR", "cuda");
        assertThat(map(service, "environment")).containsEntry("IRIS_MODEL_DEVICE", "gpu");
        assertThat(devices).singleElement().satisfies(device -> {
            assertThat(device).containsEntry("driver", "nvidia").containsEntry("count", 1);
            assertThat(device.get("capabilities")).isEqualTo(List.of("gpu"));
        });
    }

    private static Map<String, Object> load(String file) {
        return new Yaml().load(RepositoryFiles.read(file));
    }

    private static Map<String, Object> service(Map<String, Object> compose, String name) {
        return map(map(compose, "services"), name);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> parent, String key) {
        assertThat(parent).containsKey(key);
        return (Map<String, Object>) parent.get(key);
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Map<String, Object> parent, String key) {
        assertThat(parent).containsKey(key);
        return (List<Object>) parent.get(key);
    }
}
