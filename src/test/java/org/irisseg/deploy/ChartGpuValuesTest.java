package org.irisseg.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The chart rendered with the GPU example values (values-gpu.yaml). */
class ChartGpuValuesTest {

    private static final RenderedChart CHART = RenderedChart.gpu();

    @Test
    void asksForOneNvidiaGpuAndRunsTheModelOnIt() {
        Container container = CHART.container();

        assertThat(container.getResources().getLimits()).containsEntry("nvidia.com/gpu", new Quantity("1"));
        assertThat(CHART.env()).containsEntry("IRIS_MODEL_DEVICE", "gpu");
        assertThat(container.getImage()).isEqualTo("iris-service:0.1.0-cuda");
    }

    @Test
    void isScheduledOnGpuNodesOnly() {
        assertThat(CHART.podSpec().getNodeSelector()).containsEntry("nvidia.com/gpu.present", "true");
        assertThat(CHART.podSpec().getTolerations())
                .extracting(Toleration::getKey, Toleration::getOperator, Toleration::getEffect)
                .contains(org.assertj.core.groups.Tuple.tuple("nvidia.com/gpu", "Exists", "NoSchedule"));
    }

    @Test
    void gpuCountAndTopLevelSchedulingValuesAreHonoured() {
        RenderedChart chart = RenderedChart.render(Map.of(
                "gpu.count", 2,
                "nodeSelector.pool", "a100",
                "resources.limits.memory", "32Gi"), "values-gpu.yaml");

        assertThat(chart.container().getResources().getLimits())
                .containsEntry("nvidia.com/gpu", new Quantity("2"))
                .containsEntry("memory", new Quantity("32Gi"));
        assertThat(chart.podSpec().getNodeSelector())
                .containsEntry("pool", "a100")
                .containsEntry("nvidia.com/gpu.present", "true");
    }

    @Test
    void keepsTheNonRootReadOnlySecurityContext() {
        assertThat(CHART.container().getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(CHART.container().getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    }
}
