package org.irisseg.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The file task store serves one replica: the chart refuses more, and says why, unless the tasks live in
 * PostgreSQL (taskStore.type=postgres), which then needs a URL and a password Secret.
 */
class ChartReplicaGuardTest {

    /** The PostgreSQL store with its URL, user and password Secret, plus {@code more}. */
    static Map<String, Object> postgres(Map<String, ?> more) {
        Map<String, Object> set = new LinkedHashMap<>(Map.of(
                "taskStore.type", "postgres",
                "taskStore.postgres.url", "jdbc:postgresql://postgres.db:5432/iris",
                "taskStore.postgres.passwordSecret.name", "iris-db"));
        set.putAll(more);
        return set;
    }

    @Test
    void refusesTwoReplicasOnTheFileStore() {
        assertThatThrownBy(() -> RenderedChart.render(Map.of("replicaCount", 2)))
                .hasMessageContaining("replicaCount=2 refused")
                .hasMessageContaining("file task store serves one replica")
                .hasMessageContaining("taskStore.type=postgres")
                .hasMessageContaining("keep replicaCount=1");
    }

    @Test
    void refusesAutoscalingOnTheFileStore() {
        assertThatThrownBy(() -> RenderedChart.render(Map.of("autoscaling.enabled", true)))
                .hasMessageContaining("autoscaling.enabled=true refused")
                .hasMessageContaining("taskStore.type=postgres");
    }

    @Test
    void refusesTwoReplicasOnTheFileStoreEvenOnAReadWriteManyVolume() {
        assertThatThrownBy(() -> RenderedChart.render(Map.of(
                "replicaCount", 2, "persistence.accessModes[0]", "ReadWriteMany")))
                .hasMessageContaining("replicaCount=2 refused")
                .hasMessageContaining("whatever the volume");
    }

    @Test
    void refusesThePostgresStoreWithoutAUrl() {
        assertThatThrownBy(() -> RenderedChart.render(Map.of("taskStore.type", "postgres",
                "taskStore.postgres.passwordSecret.name", "iris-db")))
                .hasMessageContaining("needs taskStore.postgres.url");
    }

    @Test
    void refusesThePostgresStoreWithoutAPasswordSecret() {
        assertThatThrownBy(() -> RenderedChart.render(Map.of("taskStore.type", "postgres",
                "taskStore.postgres.url", "jdbc:postgresql://db:5432/iris")))
                .hasMessageContaining("needs taskStore.postgres.passwordSecret.name");
    }

    @Test
    void allowsSeveralReplicasOnPostgresWithARollingUpdateThatKeepsEveryReplicaServing() {
        RenderedChart chart = RenderedChart.render(postgres(Map.of(
                "replicaCount", 3, "podDisruptionBudget.enabled", true)));

        assertThat(chart.deployment().getSpec().getReplicas()).isEqualTo(3);
        assertThat(chart.deployment().getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
        assertThat(chart.deployment().getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal())
                .isZero();
        assertThat(chart.all(PersistentVolumeClaim.class)).as("no claim: tasks live in the database").isEmpty();
        PodDisruptionBudget budget = chart.one(PodDisruptionBudget.class);
        assertThat(budget.getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
        assertThat(budget.getSpec().getSelector().getMatchLabels())
                .isEqualTo(chart.deployment().getSpec().getSelector().getMatchLabels());
    }

    @Test
    void thePostgresStoreTakesItsUrlAndUserFromValuesAndItsPasswordFromTheSecret() {
        RenderedChart chart = RenderedChart.render(postgres(Map.of("taskStore.postgres.username", "iris-app")));

        assertThat(chart.env())
                .containsEntry("IRIS_STORE_TYPE", "postgres")
                .containsEntry("SPRING_DATASOURCE_URL", "jdbc:postgresql://postgres.db:5432/iris")
                .containsEntry("SPRING_DATASOURCE_USERNAME", "iris-app")
                .containsEntry("IRIS_STORE_MAX_STALENESS", "5s")
                .doesNotContainKey("SPRING_DATASOURCE_PASSWORD");
        EnvVar password = chart.container().getEnv().stream()
                .filter(e -> e.getName().equals("SPRING_DATASOURCE_PASSWORD")).findFirst().orElseThrow();
        assertThat(password.getValueFrom().getSecretKeyRef().getName()).isEqualTo("iris-db");
        assertThat(password.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("password");
        assertThat(chart.yaml()).doesNotContain("kind: Secret");
    }

    @Test
    void theFileStoreSetsNoDatabase() {
        assertThat(RenderedChart.defaults().env())
                .containsEntry("IRIS_STORE_TYPE", "file")
                .doesNotContainKeys("SPRING_DATASOURCE_URL", "SPRING_DATASOURCE_USERNAME");
    }

    @Test
    void autoscalerOwnsTheReplicaCountWhenEnabledOnPostgres() {
        RenderedChart chart = RenderedChart.render(postgres(Map.of(
                "autoscaling.enabled", true, "autoscaling.maxReplicas", 4)));

        HorizontalPodAutoscaler hpa = chart.one(HorizontalPodAutoscaler.class);
        assertThat(chart.deployment().getSpec().getReplicas()).isNull();
        assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo(chart.deployment().getMetadata().getName());
        assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(4);
        assertThat(hpa.getSpec().getMetrics()).singleElement()
                .satisfies(m -> assertThat(m.getResource().getName()).isEqualTo("cpu"));
    }

    @Test
    void oneReplicaOnAReadWriteManyFileStoreIsStillReplacedByRecreate() {
        RenderedChart chart = RenderedChart.render(Map.of("persistence.accessModes[0]", "ReadWriteMany"));

        assertThat(chart.deployment().getSpec().getStrategy().getType()).isEqualTo("Recreate");
    }

    @Test
    void oneReplicaWithoutPersistenceRendersWithAnEmptyDir() {
        RenderedChart chart = RenderedChart.render(Map.of("persistence.enabled", false));

        assertThat(chart.all(PersistentVolumeClaim.class)).isEmpty();
        assertThat(ChartDefaultValuesTest.volume(chart.podSpec(), "data").getEmptyDir()).isNotNull();
        assertThat(chart.deployment().getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
    }

    @Test
    void schemaRejectsAReplicaCountThatIsNotANumber() {
        assertThatThrownBy(() -> RenderedChart.render(Map.of("replicaCount", "two")))
                .hasMessageContaining("schema")
                .hasMessageContaining("replicaCount");
    }

    @Test
    void schemaRejectsAnUnknownStoreType() {
        assertThatThrownBy(() -> RenderedChart.render(Map.of("taskStore.type", "redis")))
                .hasMessageContaining("schema")
                .hasMessageContaining("taskStore");
    }
}
