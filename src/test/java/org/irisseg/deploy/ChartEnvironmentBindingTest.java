package org.irisseg.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.irisseg.config.IrisProperties;
import org.junit.jupiter.api.Test;
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
        assertThat(properties.admission().maxClasses()).isEqualTo(32);
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
    void largeNumbersAreNotRenderedInScientificNotation() {
        Map<String, String> env = RenderedChart.render(Map.of("config.nifti.maxVoxels", 8_589_934_592L)).env();

        assertThat(env).containsEntry("IRIS_NIFTI_MAX_VOXELS", "8589934592");
        assertThat(bind(env).nifti().maxVoxels()).isEqualTo(8_589_934_592L);
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
