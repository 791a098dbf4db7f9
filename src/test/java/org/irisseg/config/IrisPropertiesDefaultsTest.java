package org.irisseg.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.io.ClassPathResource;

/** The defaults the code names ({@code defaults()}) are the ones Spring binds, and application.yaml keeps them. */
class IrisPropertiesDefaultsTest {

    private static final Binder NOTHING_SET = new Binder(new MapConfigurationPropertySource(Map.of()));

    private static Binder applicationYaml() throws IOException {
        var sources = new YamlPropertySourceLoader().load("application", new ClassPathResource("application.yaml"));
        return new Binder(ConfigurationPropertySources.from(sources));
    }

    @Test
    void inferenceDefaultsAreWhatAnEmptyConfigurationBinds() {
        assertEquals(IrisProperties.Inference.defaults(),
                NOTHING_SET.bindOrCreate("iris.inference", IrisProperties.Inference.class));
    }

    @Test
    void applicationYamlRunsOneInferenceSessionAsTheDefaultsSay() throws IOException {
        assertEquals(IrisProperties.Inference.defaults(),
                applicationYaml().bindOrCreate("iris.inference", IrisProperties.Inference.class));
    }

    @Test
    void qualityDefaultsAreWhatAnEmptyConfigurationBinds() {
        assertEquals(IrisProperties.Quality.defaults(),
                NOTHING_SET.bindOrCreate("iris.quality", IrisProperties.Quality.class));
    }
}
