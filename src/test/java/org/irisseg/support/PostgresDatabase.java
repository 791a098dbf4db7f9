package org.irisseg.support;

import static org.junit.jupiter.api.Assertions.fail;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;

/**
 * The real PostgreSQL the tests use: the local server at {@code jdbc:postgresql://127.0.0.1:5432/test}
 * (user {@code postgres}, trust authentication; {@code -Diris.test.postgres-url=...} to point elsewhere),
 * or, where that server does not answer and a Docker engine runs, a PostgreSQL 15 container started once
 * by Testcontainers with the same user, database and authentication. One new schema per test class so
 * classes never see each other's tasks. Where neither can be had the tests skip and log why, unless
 * {@value #REQUIRE_POSTGRES} (environment) or {@code -Diris.require-postgres} is set: then they fail (CI
 * starts the local server and sets it).
 */
public final class PostgresDatabase {

    public static final String REQUIRE_POSTGRES = "IRIS_REQUIRE_POSTGRES";
    public static final String USER = "postgres";
    private static final Logger log = LoggerFactory.getLogger(PostgresDatabase.class);

    private PostgresDatabase() {
    }

    private static final String LOCAL = "jdbc:postgresql://127.0.0.1:5432/test";
    private static String resolved;

    /** The server's JDBC URL: the configured or local one, else a container's (see the class comment). */
    public static synchronized String serverUrl() {
        if (resolved == null) {
            resolved = resolve();
        }
        return resolved;
    }

    /** The server's TCP port (5432 for the local server, the mapped port of a container). */
    public static int serverPort() {
        Matcher m = Pattern.compile("//[^/:]+:(\\d+)/").matcher(serverUrl());
        return m.find() ? Integer.parseInt(m.group(1)) : 5432;
    }

    private static String resolve() {
        String configured = System.getProperty("iris.test.postgres-url");
        if (configured != null) {
            return configured;
        }
        try (Connection ignored = DriverManager.getConnection(LOCAL + "?connectTimeout=5", USER, null)) {
            return LOCAL;
        } catch (SQLException local) {
            if (!DockerClientFactory.instance().isDockerAvailable()) {
                log.warn("PostgreSQL not reachable at {} ({}) and no Docker engine for Testcontainers", LOCAL,
                        local.getMessage());
                return LOCAL;
            }
            PostgreSQLContainer<?> container = new PostgreSQLContainer<>("postgres:15").withDatabaseName("test")
                    .withUsername(USER).withEnv("POSTGRES_HOST_AUTH_METHOD", "trust");
            container.start();
            log.info("PostgreSQL not reachable at {}: using a Testcontainers PostgreSQL at {}", LOCAL,
                    container.getJdbcUrl());
            return container.getJdbcUrl().replaceFirst("\\?.*$", "");
        }
    }

    static boolean required() {
        return TestPaths.isRequired(Optional.ofNullable(System.getProperty("iris.require-postgres"))
                .orElse(System.getenv(REQUIRE_POSTGRES)));
    }

    /**
     * A new empty schema on the test server; skips (or fails, see {@link #REQUIRE_POSTGRES}) when the
     * server cannot be reached.
     */
    public static Schema newSchema() {
        String name = "iris_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(serverUrl() + "?connectTimeout=5", USER, null);
                Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + name);
        } catch (SQLException e) {
            String reason = "PostgreSQL not reachable at " + serverUrl() + " (" + e.getMessage() + ")";
            if (required()) {
                fail(reason + "; " + REQUIRE_POSTGRES + " is set, so this fails instead of skipping");
            }
            log.warn("Skipping: {}; start it with: pg_ctlcluster --skip-systemctl-redirect 15 main start", reason);
            Assumptions.abort(reason);
        }
        return new Schema(name);
    }

    /** A schema of its own on the test server; {@link #close()} drops it with everything in it. */
    public record Schema(String name) implements AutoCloseable {

        public Schema {
            if (!name.toLowerCase(Locale.ROOT).matches("iris_test_[0-9a-f]+")) {
                throw new IllegalArgumentException("not a test schema: " + name);
            }
        }

        /** The JDBC URL whose connections work in this schema, through {@code host:port} when given. */
        public String url() {
            return serverUrl() + "?currentSchema=" + name;
        }

        /** The same database reached through another address (a proxy), in this schema. */
        public String urlThrough(String host, int port) {
            return url().replaceFirst("//[^/]+/", "//" + host + ":" + port + "/");
        }

        public DataSource dataSource() {
            return new SimpleDriverDataSource(new org.postgresql.Driver(), url(), USER, "");
        }

        /** Creates the service's tables in this schema (the migrations the service runs at start-up). */
        public Schema migrated() {
            Flyway.configure().dataSource(url(), USER, null).schemas(name).load().migrate();
            return this;
        }

        @Override
        public void close() {
            try (Connection c = DriverManager.getConnection(serverUrl(), USER, null);
                    Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + name + " CASCADE");
            } catch (SQLException e) {
                log.warn("Could not drop test schema {}: {}", name, e.getMessage());
            }
        }
    }
}
