package org.irisseg.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Makes the database part of the service depend on {@code iris.store.type}. With the file store (the
 * default) the JDBC and Flyway auto-configurations are excluded, so the service starts without any
 * database, DataSource or migration. With {@code postgres} they stay, and the disk that health and metrics
 * watch becomes the upload spool ({@code java.io.tmpdir}), since no task lives on a local disk.
 */
public class StoreTypeEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

    static final String PROPERTY_SOURCE = "irisStoreType";
    static final String EXCLUDE = "spring.autoconfigure.exclude";

    /** Every auto-configuration that needs a database or would look for one. */
    static final List<String> DATABASE_AUTO_CONFIGURATIONS = List.of(
            "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.DataSourceInitializationAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.JdbcClientAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.health.DataSourceHealthContributorAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.metrics.DataSourcePoolMetricsAutoConfiguration",
            "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration",
            "org.springframework.boot.flyway.autoconfigure.FlywayEndpointAutoConfiguration");

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        Binder binder = Binder.get(environment);
        String type = binder.bind("iris.store.type", String.class).orElse("file").strip().toLowerCase(Locale.ROOT);
        Map<String, Object> properties = new LinkedHashMap<>();
        if (type.equals("postgres")) {
            properties.put("management.health.diskspace.path", "${java.io.tmpdir}");
            properties.put("management.metrics.system.diskspace.paths", "${java.io.tmpdir}");
        } else {
            List<String> excluded = new ArrayList<>(
                    binder.bind(EXCLUDE, Bindable.listOf(String.class)).orElse(List.of()));
            DATABASE_AUTO_CONFIGURATIONS.stream().filter(c -> !excluded.contains(c)).forEach(excluded::add);
            properties.put(EXCLUDE, String.join(",", excluded));
        }
        environment.getPropertySources().addFirst(new MapPropertySource(PROPERTY_SOURCE, properties));
    }

    /** After the configuration files and the environment are read. */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
