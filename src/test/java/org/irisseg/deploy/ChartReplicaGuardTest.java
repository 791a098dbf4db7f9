package org.irisseg.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The task store is a single-writer file store: the chart refuses more than one replica, and says why,
 * unless a store safe for several replicas is declared on a ReadWriteMany volume.
 */
class ChartReplicaGuardTest {

    @Test
    void refusesTwoReplicasOnAReadWriteOnceVolume() {
        assertThatThrownBy(() -> RenderedChart.render(Map.of("replicaCount", 2)))
                .hasMessageContaining("replicaCount=2 refused")
                .hasMessageContaining("file store on a ReadWriteOnce volume")
                .hasMessageContaining("keep replicaCount=1");
    }

    @Test
    void refusesAutoscalingOnAReadWriteOnceVolume() {
        assertThatThrownBy(() -> RenderedChart.render(Map.of("autoscaling.enabled", true)))
                .hasMessageContaining("autoscaling.enabled=true refused")
                .hasMessageContaining("ReadWriteOnce");
    }

    @Test
    void refusesTwoReplicasOnPerPodEmptyDirs() {
        assertThatThrownBy(() -> RenderedChart.render(Map.of("replicaCount", 2, "persistence.enabled", false)))
                .hasMessageContaining("replicaCount=2 refused")
                .hasMessageContaining("emptyDir");
    }

    @Test
    void refusesTwoReplicasOnAReadWriteManyVolumeWhileTheStoreIsSingleWriter() {
        assertThatThrownBy(() -> RenderedChart.render(Map.of(
                "replicaCount", 2, "persistence.accessModes[0]", "ReadWriteMany")))
                .hasMessageContaining("replicaCount=2 refused")
                .hasMessageContaining("single-writer")
                .hasMessageContaining("taskStore.sharedAcrossReplicas");
    }

    @Test
    void refusesAReplicaSafeStoreOnAReadWriteOnceVolume() {
        assertThatThrownBy(() -> RenderedChart.render(Map.of(
                "replicaCount", 2, "taskStore.sharedAcrossReplicas", true)))
                .hasMessageContaining("ReadWriteOnce volume");
    }

    @Test
    void allowsSeveralReplicasWithAReplicaSafeStoreOnAReadWriteManyVolume() {
        RenderedChart chart = RenderedChart.render(Map.of(
                "replicaCount", 3,
                "taskStore.sharedAcrossReplicas", true,
                "persistence.accessModes[0]", "ReadWriteMany",
                "podDisruptionBudget.enabled", true));

        assertThat(chart.deployment().getSpec().getReplicas()).isEqualTo(3);
        assertThat(chart.deployment().getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
        assertThat(chart.one(PersistentVolumeClaim.class).getSpec().getAccessModes()).containsExactly("ReadWriteMany");
        PodDisruptionBudget budget = chart.one(PodDisruptionBudget.class);
        assertThat(budget.getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
        assertThat(budget.getSpec().getSelector().getMatchLabels())
                .isEqualTo(chart.deployment().getSpec().getSelector().getMatchLabels());
    }

    @Test
    void autoscalerOwnsTheReplicaCountWhenEnabled() {
        RenderedChart chart = RenderedChart.render(Map.of(
                "autoscaling.enabled", true,
                "autoscaling.maxReplicas", 4,
                "taskStore.sharedAcrossReplicas", true,
                "persistence.accessModes[0]", "ReadWriteMany"));

        HorizontalPodAutoscaler hpa = chart.one(HorizontalPodAutoscaler.class);
        assertThat(chart.deployment().getSpec().getReplicas()).isNull();
        assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo(chart.deployment().getMetadata().getName());
        assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(4);
        assertThat(hpa.getSpec().getMetrics()).singleElement()
                .satisfies(m -> assertThat(m.getResource().getName()).isEqualTo("cpu"));
    }

    @Test
    void oneReplicaOnAReadWriteManyVolumeIsStillReplacedByRecreate() {
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
}
