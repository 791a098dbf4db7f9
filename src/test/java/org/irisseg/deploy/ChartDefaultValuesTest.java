package org.irisseg.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The chart rendered with its default values: one CPU replica with a persistent task store. */
class ChartDefaultValuesTest {

    private static final RenderedChart CHART = RenderedChart.defaults();

    @Test
    void probesAskTheActuatorHealthGroupsOnTheManagementPort() {
        Container container = CHART.container();

        assertProbe(container, container.getStartupProbe(), "/actuator/health/liveness");
        assertProbe(container, container.getLivenessProbe(), "/actuator/health/liveness");
        assertProbe(container, container.getReadinessProbe(), "/actuator/health/readiness");
    }

    @Test
    void runsOnCpuWithoutAskingForAGpu() {
        Container container = CHART.container();

        assertThat(CHART.env()).containsEntry("IRIS_MODEL_DEVICE", "cpu");
        assertThat(container.getImage()).isEqualTo("iris-service:0.1.0");
        Map<String, Quantity> limits = container.getResources().getLimits();
        Map<String, Quantity> requests = container.getResources().getRequests();
        assertThat(limits).doesNotContainKey("nvidia.com/gpu").containsKey("memory");
        assertThat(requests).doesNotContainKey("nvidia.com/gpu");
        assertThat(CHART.podSpec().getNodeSelector()).isNullOrEmpty();
        assertThat(CHART.podSpec().getTolerations()).isNullOrEmpty();
        assertThat(CHART.yaml()).doesNotContain("nvidia.com/gpu");
    }

    @Test
    void everyContainerRunsAsNonRootWithAReadOnlyRootFilesystem() {
        PodSpec pod = CHART.podSpec();
        PodSecurityContext podContext = pod.getSecurityContext();

        assertThat(podContext.getRunAsNonRoot()).isTrue();
        assertThat(podContext.getRunAsUser()).isPositive();
        assertThat(podContext.getFsGroup()).as("volumes writable by the service's group").isPositive();
        for (Container container : pod.getContainers()) {
            SecurityContext context = container.getSecurityContext();
            assertThat(context.getRunAsNonRoot()).as(container.getName()).isTrue();
            assertThat(context.getRunAsUser()).as(container.getName()).isPositive();
            assertThat(context.getReadOnlyRootFilesystem()).as(container.getName()).isTrue();
            assertThat(context.getAllowPrivilegeEscalation()).as(container.getName()).isFalse();
            assertThat(context.getCapabilities().getDrop()).as(container.getName()).containsExactly("ALL");
        }
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(CHART.one(ServiceAccount.class).getAutomountServiceAccountToken()).isFalse();
    }

    @Test
    void taskStoreVolumeIsMountedWhereTheServiceWrites() {
        String storeDir = CHART.env().get("IRIS_STORE_DIR");
        VolumeMount dataMount = mountAt(CHART.container(), storeDir);
        Volume data = volume(CHART.podSpec(), dataMount.getName());
        PersistentVolumeClaim claim = CHART.one(PersistentVolumeClaim.class);

        assertThat(storeDir).isEqualTo("/data");
        assertThat(dataMount.getReadOnly()).isNotEqualTo(Boolean.TRUE);
        assertThat(data.getPersistentVolumeClaim().getClaimName()).isEqualTo(claim.getMetadata().getName());
        assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
        assertThat(claim.getSpec().getResources().getRequests().get("storage")).isEqualTo(new Quantity("10Gi"));
        assertThat(claim.getMetadata().getAnnotations()).containsEntry("helm.sh/resource-policy", "keep");
    }

    @Test
    void tmpIsAWritableEmptyDirSizedForTheUploadsTheServiceTakesInAtOnce() {
        Volume tmp = volume(CHART.podSpec(), mountAt(CHART.container(), "/tmp").getName());

        assertThat(tmp.getEmptyDir()).isNotNull();
        // 1GB requests x (1 inference + 8 queued + 1 refused) + 1Gi for the JVM and libtorch
        assertThat(tmp.getEmptyDir().getSizeLimit()).isEqualTo(new Quantity("11264Mi"));
    }

    @Test
    void theUploadSpoolGrowsWithTheRequestLimitAndTheConcurrency() {
        RenderedChart chart = RenderedChart.render(java.util.Map.of("config.upload.maxRequestSize", "256MB",
                "config.inference.maxConcurrent", 2, "config.inference.queueCapacity", 5));
        Volume tmp = volume(chart.podSpec(), mountAt(chart.container(), "/tmp").getName());

        assertThat(tmp.getEmptyDir().getSizeLimit()).isEqualTo(new Quantity((256 * 8 + 1024) + "Mi"));
    }

    @Test
    void anExplicitSpoolSizeIsKept() {
        RenderedChart chart = RenderedChart.render(java.util.Map.of("tmp.sizeLimit", "20Gi"));
        Volume tmp = volume(chart.podSpec(), mountAt(chart.container(), "/tmp").getName());

        assertThat(tmp.getEmptyDir().getSizeLimit()).isEqualTo(new Quantity("20Gi"));
    }

    @Test
    void oneReplicaReplacedByRecreateSoTwoPodsNeverShareTheStore() {
        assertThat(CHART.deployment().getSpec().getReplicas()).isEqualTo(1);
        assertThat(CHART.deployment().getSpec().getStrategy().getType()).isEqualTo("Recreate");
    }

    @Test
    void serviceForwardsTheApiAndTheManagementPortEachToItsOwnContainerPort() {
        Service service = CHART.one(Service.class);

        assertThat(service.getSpec().getPorts()).hasSize(2);
        assertThat(service.getSpec().getPorts()).filteredOn(p -> "http".equals(p.getName())).singleElement()
                .satisfies(port -> {
                    assertThat(port.getPort()).isEqualTo(8080);
                    assertThat(port.getTargetPort()).isEqualTo(new IntOrString("http"));
                });
        assertThat(service.getSpec().getPorts()).filteredOn(p -> "management".equals(p.getName())).singleElement()
                .satisfies(port -> {
                    assertThat(port.getPort()).isEqualTo(8081);
                    assertThat(port.getTargetPort()).isEqualTo(new IntOrString("management"));
                });
        assertThat(containerPort(CHART.container(), new IntOrString("http"))).isEqualTo(8080);
        assertThat(containerPort(CHART.container(), new IntOrString("management"))).isEqualTo(8081);
        assertThat(CHART.env()).containsEntry("MANAGEMENT_SERVER_PORT", "8081");
        assertThat(service.getSpec().getSelector())
                .isEqualTo(CHART.deployment().getSpec().getSelector().getMatchLabels());
    }

    @Test
    void authenticationIsOnAndTheDefaultValuesHoldNoKey() {
        assertThat(CHART.env()).containsEntry("IRIS_SECURITY_ENABLED", "true")
                .containsEntry("IRIS_API_DOCS_ENABLED", "true")
                .as("CORS stays closed, the service's default")
                .doesNotContainKeys("IRIS_CORS_ALLOWED_ORIGINS", "IRIS_API_KEYS",
                        "SPRING_SECURITY_OAUTH2_RESOURCESERVER_JWT_ISSUER_URI");
        assertThat(CHART.container().getEnv()).noneMatch(e -> e.getName().startsWith("IRIS_SECURITY_API_KEY"));
        assertThat(CHART.all(Secret.class)).isEmpty();
    }

    @Test
    void theHelmTestPodIsNotBehindTheServiceAndAsksTheManagementPort() {
        Pod test = RenderedChart.withTestHooks().one(Pod.class);
        Map<String, String> selector = CHART.one(Service.class).getSpec().getSelector();

        assertThat(test.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()))
                .as("the Service selects the helm test pod %s", test.getMetadata().getLabels()).isFalse();
        assertThat(test.getSpec().getContainers().get(0).getCommand())
                .last().asString().isEqualTo("http://iris-iris-service:8081/actuator/health/readiness");
    }

    @Test
    void optionalObjectsAreOffByDefault() {
        assertThat(CHART.all(HorizontalPodAutoscaler.class)).isEmpty();
        assertThat(CHART.all(PodDisruptionBudget.class)).isEmpty();
        assertThat(CHART.all(Ingress.class)).isEmpty();
        assertThat(CHART.ofKind("ServiceMonitor")).isEmpty();
        assertThat(CHART.all(NetworkPolicy.class)).as("the network policy is on by default").hasSize(1);
    }

    @Test
    void jvmHeapIsSizedFromTheContainerMemory() {
        assertThat(CHART.env().get("JAVA_OPTS")).contains("-XX:MaxRAMPercentage=50");
    }

    private static void assertProbe(Container container, Probe probe, String path) {
        assertThat(probe).as(path).isNotNull();
        assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
        assertThat(containerPort(container, probe.getHttpGet().getPort())).isEqualTo(8081);
    }

    /** The container port a probe's named or numbered port designates. */
    static int containerPort(Container container, IntOrString port) {
        if (port.getIntVal() != null) {
            return port.getIntVal();
        }
        return container.getPorts().stream()
                .filter(p -> port.getStrVal().equals(p.getName()))
                .map(ContainerPort::getContainerPort)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no container port named " + port.getStrVal()));
    }

    static VolumeMount mountAt(Container container, String path) {
        return container.getVolumeMounts().stream()
                .filter(m -> m.getMountPath().equals(path))
                .findFirst()
                .orElseThrow(() -> new AssertionError("nothing mounted at " + path));
    }

    static Volume volume(PodSpec pod, String name) {
        return pod.getVolumes().stream()
                .filter(v -> v.getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name));
    }
}
