package org.irisseg.task;

import java.sql.DriverManager;
import java.util.Properties;

import javax.sql.DataSource;

import org.irisseg.config.IrisProperties;
import org.irisseg.nifti.NiftiLimits;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import tools.jackson.databind.json.JsonMapper;

/**
 * Chooses the {@link TaskStore} by {@code iris.store.type}: the file store in {@code iris.store.dir}
 * (default), or PostgreSQL at {@code spring.datasource.*}, migrated by Flyway before the store opens, with
 * a {@link TaskChangeListener} that keeps the task cache in step with other replicas.
 */
@Configuration(proxyBeanMethods = false)
public class TaskStoreConfiguration {

    static final String TYPE = "iris.store.type";

    /** Re-writes reference volumes for keeping, with the limits of uploads. */
    @Bean
    public ReferenceRewriter referenceRewriter(IrisProperties properties) {
        return new ReferenceRewriter(new NiftiLimits(properties.nifti().maxVoxels(),
                properties.nifti().maxDecompressedBytes()));
    }

    @Bean
    @ConditionalOnProperty(name = TYPE, havingValue = "file", matchIfMissing = true)
    public TaskStore fileTaskStore(IrisProperties properties, JsonMapper json, ReferenceRewriter rewriter) {
        return new FileTaskStore(properties.store().dir(), json, rewriter, properties.store().referenceRetention());
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(name = TYPE, havingValue = "postgres")
    static class Postgres {

        @Bean
        @DependsOnDatabaseInitialization
        PostgresTaskStore postgresTaskStore(DataSource dataSource, ReferenceRewriter rewriter,
                IrisProperties properties) {
            return new PostgresTaskStore(dataSource, rewriter, properties.store().referenceRetention());
        }

        /** Notifications arrive on a connection of their own, outside the pool. */
        @Bean
        TaskChangeListener taskChangeListener(PostgresTaskStore store, TaskCache cache, DataSourceProperties database) {
            String url = database.determineUrl();
            Properties connection = new Properties();
            if (database.determineUsername() != null) {
                connection.setProperty("user", database.determineUsername());
            }
            if (database.determinePassword() != null) {
                connection.setProperty("password", database.determinePassword());
            }
            connection.setProperty("connectTimeout", "5");
            connection.setProperty("tcpKeepAlive", "true");
            connection.setProperty("ApplicationName", "iris-service task changes");
            return new TaskChangeListener(() -> DriverManager.getConnection(url, connection), cache, store.origin());
        }
    }
}
