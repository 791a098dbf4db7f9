package org.irisseg.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

/** The database auto-configurations follow iris.store.type. */
class StoreTypeEnvironmentPostProcessorTest {

    private static StandardEnvironment processed(Map<String, Object> properties) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("test", properties));
        new StoreTypeEnvironmentPostProcessor().postProcessEnvironment(environment, new SpringApplication());
        return environment;
    }

    @Test
    void theFileStoreExcludesEveryDatabaseAutoConfiguration() {
        String excluded = processed(Map.of()).getProperty(StoreTypeEnvironmentPostProcessor.EXCLUDE);

        assertThat(excluded.split(",")).containsAll(StoreTypeEnvironmentPostProcessor.DATABASE_AUTO_CONFIGURATIONS);
    }

    @Test
    void exclusionsConfiguredElsewhereAreKept() {
        String excluded = processed(Map.of("iris.store.type", "FILE",
                StoreTypeEnvironmentPostProcessor.EXCLUDE, "com.example.OtherAutoConfiguration"))
                .getProperty(StoreTypeEnvironmentPostProcessor.EXCLUDE);

        assertThat(excluded.split(",")).contains("com.example.OtherAutoConfiguration")
                .containsAll(StoreTypeEnvironmentPostProcessor.DATABASE_AUTO_CONFIGURATIONS);
    }

    @Test
    void thePostgresStoreKeepsTheDatabaseAndWatchesTheUploadSpoolsDisk() {
        StandardEnvironment environment = processed(Map.of("iris.store.type", "postgres"));

        assertThat(environment.getProperty(StoreTypeEnvironmentPostProcessor.EXCLUDE)).isNull();
        assertThat(environment.getProperty("management.health.diskspace.path"))
                .isEqualTo(System.getProperty("java.io.tmpdir"));
    }
}
