package org.irisseg.api;

import static org.assertj.core.api.Assertions.assertThat;

import javax.sql.DataSource;

import org.irisseg.support.IrisClient;
import org.irisseg.support.IrisIntegrationTest;
import org.irisseg.task.FileTaskStore;
import org.irisseg.task.TaskStore;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

/** With the default file store the service has no database at all: no DataSource, no migration, no db health. */
class FileStoreWithoutDatabaseTest extends IrisIntegrationTest {

    @Autowired
    ApplicationContext context;

    @Test
    void theDefaultStoreIsTheFileStoreAndNoDataSourceExists() {
        assertThat(context.getBean(TaskStore.class)).isInstanceOf(FileTaskStore.class);
        assertThat(context.getBeanNamesForType(DataSource.class)).isEmpty();
        assertThat(context.getBeanNamesForType(org.flywaydb.core.Flyway.class)).isEmpty();
    }

    @Test
    void healthHasNoDatabaseComponent() {
        assertThat(IrisClient.json(managementClient().get("/actuator/health")).path("components").has("db")).isFalse();
    }
}
