package org.irisseg.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Secret;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.irisseg.config.IrisProperties;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.util.unit.DataSize;

/**
 * The environment the chart gives the container binds, through Spring Boot's own environment-variable
 * mapping, to the service's {@link IrisProperties}: every chart value reaches the service.
 */
class ChartEnvironmentBindingTest {

    @Test
    void defaultValuesBindToTheServiceDefaults() {
        IrisProperties properties = bind(RenderedChart.defaults().env());

        assertThat(properties.model().dir()).isEqualTo(Path.of("/opt/iris/models/iris-small"));
        assertThat(properties.model().device()).isEqualTo(IrisProperties.Device.CPU);
        assertThat(properties.store().type()).isEqualTo(IrisProperties.StoreType.FILE);
        assertThat(properties.store().dir()).isEqualTo(Path.of("/data"));
        assertThat(properties.store().keepReferences()).isTrue();
        assertThat(properties.nifti().maxVoxels()).isEqualTo(134_217_728L);
        assertThat(properties.nifti().maxDecompressedBytes()).isEqualTo(1_074_790_400L);
        assertThat(properties.inference().maxConcurrent()).isEqualTo(1);
        assertThat(properties.inference().queueCapacity()).isEqualTo(8);
        assertThat(properties.inference().queueTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(properties.taskCache().maxBytes()).isEqualTo(268_435_456L);
        assertThat(properties.admission().maxBytes()).as("unset: half the heap").isNull();
        assertThat(properties.admission().maxClasses()).isEqualTo(64);
        assertThat(properties.quality().maxMembers()).as("no member-by-member decoding unless asked for").isZero();
    }

    @Test
    void everyConfigValueReachesItsProperty() {
        Map<String, String> env = RenderedChart.render(Map.ofEntries(
                Map.entry("gpu.enabled", true),
                Map.entry("config.model.dir", "/models/custom"),
                Map.entry("config.store.keepReferences", false),
                Map.entry("persistence.mountPath", "/var/lib/iris"),
                Map.entry("config.nifti.maxVoxels", 1000),
                Map.entry("config.nifti.maxDecompressedBytes", 2000),
                Map.entry("config.inference.maxConcurrent", 3),
                Map.entry("config.inference.queueCapacity", 5),
                Map.entry("config.inference.queueTimeout", "45s"),
                Map.entry("config.taskCache.maxBytes", 4096),
                Map.entry("config.admission.maxBytes", 3_221_225_472L),
                Map.entry("config.admission.maxClasses", 12),
                Map.entry("config.upload.maxFileSize", "2GB"),
                Map.entry("config.upload.maxRequestSize", "3GB"))).env();

        IrisProperties properties = bind(env);

        assertThat(properties.model().dir()).isEqualTo(Path.of("/models/custom"));
        assertThat(properties.model().device()).isEqualTo(IrisProperties.Device.GPU);
        assertThat(properties.store().dir()).isEqualTo(Path.of("/var/lib/iris"));
        assertThat(properties.store().keepReferences()).isFalse();
        assertThat(properties.nifti().maxVoxels()).isEqualTo(1000);
        assertThat(properties.nifti().maxDecompressedBytes()).isEqualTo(2000);
        assertThat(properties.inference().maxConcurrent()).isEqualTo(3);
        assertThat(properties.inference().queueCapacity()).isEqualTo(5);
        assertThat(properties.inference().queueTimeout()).isEqualTo(Duration.ofSeconds(45));
        assertThat(properties.taskCache().maxBytes()).isEqualTo(4096);
        assertThat(properties.admission().maxBytes()).isEqualTo(3_221_225_472L);
        assertThat(properties.admission().maxClasses()).isEqualTo(12);
        Binder binder = binder(env);
        assertThat(binder.bind("spring.servlet.multipart.max-file-size", DataSize.class).get())
                .isEqualTo(DataSize.ofGigabytes(2));
        assertThat(binder.bind("spring.servlet.multipart.max-request-size", DataSize.class).get())
                .isEqualTo(DataSize.ofGigabytes(3));
    }

    @Test
    void thePostgresStoreValuesReachTheStoreAndTheDataSource() {
        Map<String, String> env = RenderedChart.render(ChartReplicaGuardTest.postgres(Map.of(
                "taskStore.postgres.maxStaleness", "30s"))).env();

        IrisProperties properties = bind(env);
        assertThat(properties.store().type()).isEqualTo(IrisProperties.StoreType.POSTGRES);
        assertThat(properties.store().maxStaleness()).isEqualTo(Duration.ofSeconds(30));
        assertThat(binder(env).bind("spring.datasource.url", String.class).get())
                .isEqualTo("jdbc:postgresql://postgres.db:5432/iris");
        assertThat(binder(env).bind("spring.datasource.username", String.class).get()).isEqualTo("iris");
    }

    @Test
    void theSecurityValuesReachTheirSettings() {
        Map<String, String> env = RenderedChart.render(Map.of(
                "auth.jwt.issuerUri", "https://login.hospital.example/realms/radiology",
                "auth.jwt.audience", "iris",
                "auth.jwt.tenantClaim", "department",
                "cors.allowedOrigins[0]", "https://viewer.hospital.example",
                "cors.allowedOrigins[1]", "https://pacs.hospital.example",
                "apiDocs.enabled", false,
                "management.port", 9090,
                "service.managementPort", 9090)).env();
        Binder binder = binder(env);

        assertThat(binder.bind("iris.security.enabled", Boolean.class).get()).isTrue();
        assertThat(binder.bind("spring.security.oauth2.resourceserver.jwt.issuer-uri", String.class).get())
                .isEqualTo("https://login.hospital.example/realms/radiology");
        assertThat(binder.bind("iris.security.jwt.audience", String.class).get()).isEqualTo("iris");
        assertThat(binder.bind("iris.security.jwt.tenant-claim", String.class).get()).isEqualTo("department");
        assertThat(binder.bind("iris.cors.allowed-origins", Bindable.listOf(String.class)).get())
                .containsExactly("https://viewer.hospital.example", "https://pacs.hospital.example");
        assertThat(binder.bind("iris.api-docs.enabled", Boolean.class).get()).isFalse();
        assertThat(binder.bind("management.server.port", Integer.class).get()).isEqualTo(9090);
    }

    @Test
    void authenticationCanBeTurnedOffForATrial() {
        Map<String, String> env = RenderedChart.render(Map.of("auth.enabled", false)).env();

        assertThat(binder(env).bind("iris.security.enabled", Boolean.class).get()).isFalse();
    }

    @Test
    void apiKeyHashesGivenAsValuesReachTheServiceThroughASecretTheChartMakes() {
        String hash = "a".repeat(64);
        RenderedChart chart = RenderedChart.render(Map.of(
                "auth.apiKeys.hashes[0]", "radiology:" + hash,
                "auth.apiKeys.hashes[1]", "oncology:" + "b".repeat(64) + ":iris.read"));
        Secret secret = chart.one(Secret.class);
        EnvVar hashes = envVar(chart, "IRIS_SECURITY_API_KEY_HASHES");

        assertThat(hashes.getValue()).as("from the Secret, never inline").isNull();
        assertThat(hashes.getValueFrom().getSecretKeyRef().getName()).isEqualTo(secret.getMetadata().getName());
        String resolved = secret.getStringData().get(hashes.getValueFrom().getSecretKeyRef().getKey());
        Map<String, String> env = new java.util.HashMap<>(chart.env());
        env.put(hashes.getName(), resolved);
        assertThat(binder(env).bind("iris.security.api-key-hashes", String.class).get())
                .isEqualTo("radiology:" + hash + ",oncology:" + "b".repeat(64) + ":iris.read");
        assertThat(chart.deployment().getSpec().getTemplate().getMetadata().getAnnotations())
                .as("pods roll when the hashes change").containsKey("checksum/api-keys");
    }

    @Test
    void anExistingApiKeySecretIsReferencedAndNoneIsMade() {
        RenderedChart chart = RenderedChart.render(Map.of(
                "auth.apiKeys.existingSecret", "iris-api-keys",
                "auth.apiKeys.secretKey", "hashes"));
        EnvVar hashes = envVar(chart, "IRIS_SECURITY_API_KEY_HASHES");

        assertThat(hashes.getValueFrom().getSecretKeyRef().getName()).isEqualTo("iris-api-keys");
        assertThat(hashes.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("hashes");
        assertThat(chart.all(Secret.class)).isEmpty();
    }

    @Test
    void aPlaintextKeyIsRefusedWhereHashesAreExpected() {
        assertThatThrownBy(() -> RenderedChart.render(Map.of("auth.apiKeys.hashes[0]", "radiology:my-secret-key")))
                .hasMessageContaining("hashes");
    }

    @Test
    void largeNumbersAreNotRenderedInScientificNotation() {
        Map<String, String> env = RenderedChart.render(Map.of("config.nifti.maxVoxels", 8_589_934_592L)).env();

        assertThat(env).containsEntry("IRIS_NIFTI_MAX_VOXELS", "8589934592");
        assertThat(bind(env).nifti().maxVoxels()).isEqualTo(8_589_934_592L);
    }

    private static EnvVar envVar(RenderedChart chart, String name) {
        return chart.container().getEnv().stream().filter(e -> name.equals(e.getName())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " in the container's environment"));
    }

    private static IrisProperties bind(Map<String, String> env) {
        return binder(env).bindOrCreate("iris", IrisProperties.class);
    }

    private static Binder binder(Map<String, String> env) {
        // Named like the real one: Spring applies its environment-variable name mapping only to a
        // source called "systemEnvironment".
        return new Binder(ConfigurationPropertySources.from(new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, Map.copyOf(env))));
    }
}
