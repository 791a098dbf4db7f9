package org.irisseg.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The NetworkPolicy (on by default): the API port admits the ingress controller only, the management port
 * the metrics scraper (and the chart's helm test pod) only; every other source is refused.
 */
class ChartNetworkPolicyTest {

    private static final RenderedChart CHART = RenderedChart.defaults();

    @Test
    void thePolicySelectsTheServicePodsAndFiltersOnlyIncomingTraffic() {
        NetworkPolicy policy = CHART.one(NetworkPolicy.class);

        assertThat(policy.getSpec().getPodSelector().getMatchLabels())
                .isEqualTo(CHART.deployment().getSpec().getSelector().getMatchLabels());
        assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress");
        assertThat(policy.getSpec().getIngress()).hasSize(2);
    }

    @Test
    void theApiPortAdmitsOnlyTheIngressController() {
        NetworkPolicyIngressRule rule = ruleFor(CHART.one(NetworkPolicy.class), "http");

        assertThat(rule.getFrom()).singleElement().satisfies(peer -> {
            assertThat(peer.getNamespaceSelector().getMatchLabels())
                    .isEqualTo(Map.of("kubernetes.io/metadata.name", "ingress-nginx"));
            assertThat(peer.getPodSelector().getMatchLabels())
                    .isEqualTo(Map.of("app.kubernetes.io/name", "ingress-nginx"));
        });
    }

    @Test
    void theManagementPortAdmitsOnlyTheMetricsScraperAndTheHelmTestPod() {
        NetworkPolicyIngressRule rule = ruleFor(CHART.one(NetworkPolicy.class), "management");
        Pod helmTest = RenderedChart.withTestHooks().one(Pod.class);

        assertThat(rule.getFrom()).hasSize(2);
        NetworkPolicyPeer scraper = rule.getFrom().get(0);
        assertThat(scraper.getNamespaceSelector().getMatchLabels())
                .isEqualTo(Map.of("kubernetes.io/metadata.name", "monitoring"));
        assertThat(scraper.getPodSelector().getMatchLabels()).isEqualTo(Map.of("app.kubernetes.io/name", "prometheus"));
        NetworkPolicyPeer test = rule.getFrom().get(1);
        assertThat(test.getNamespaceSelector()).as("the release's namespace").isNull();
        assertThat(helmTest.getMetadata().getLabels()).containsAllEntriesOf(test.getPodSelector().getMatchLabels());
    }

    @Test
    void theProbesUseAPortOfThePodSoTheKubeletReachesThemFromTheNode() {
        // Network policies never filter a pod's own node, where the kubelet probes from; the probes only
        // need a declared container port (the management port, which the policy names).
        NetworkPolicyIngressRule rule = ruleFor(CHART.one(NetworkPolicy.class), "management");
        IntOrString probePort = CHART.container().getReadinessProbe().getHttpGet().getPort();

        assertThat(probePort.getStrVal()).isEqualTo(rule.getPorts().get(0).getPort().getStrVal());
        assertThat(ChartDefaultValuesTest.containerPort(CHART.container(), probePort)).isEqualTo(8081);
    }

    @Test
    void selectorsAreTakenFromTheValues() {
        RenderedChart chart = RenderedChart.render(Map.of(
                "networkPolicy.ingressController.namespaceSelector.matchLabels.name", "traefik",
                "networkPolicy.ingressController.podSelector", "null",
                "networkPolicy.metricsScraper.namespaceSelector", "null",
                "networkPolicy.metricsScraper.podSelector.matchLabels.app", "vmagent",
                "networkPolicy.apiExtraFrom[0].podSelector.matchLabels.app", "pacs-router"));
        NetworkPolicy policy = chart.one(NetworkPolicy.class);

        List<NetworkPolicyPeer> api = ruleFor(policy, "http").getFrom();
        assertThat(api).hasSize(2);
        assertThat(api.get(0).getNamespaceSelector().getMatchLabels())
                .containsEntry("name", "traefik");
        assertThat(api.get(0).getPodSelector()).isNull();
        assertThat(api.get(1).getPodSelector().getMatchLabels()).isEqualTo(Map.of("app", "pacs-router"));
        NetworkPolicyPeer scraper = ruleFor(policy, "management").getFrom().get(0);
        assertThat(scraper.getNamespaceSelector()).isNull();
        assertThat(scraper.getPodSelector().getMatchLabels()).containsEntry("app", "vmagent");
    }

    @Test
    void aPeerWithoutSelectorsIsRefused() {
        assertThatThrownBy(() -> RenderedChart.render(Map.of(
                "networkPolicy.metricsScraper.namespaceSelector", "null",
                "networkPolicy.metricsScraper.podSelector", "null")))
                .hasMessageContaining("networkPolicy.metricsScraper needs a namespaceSelector and/or a podSelector");
    }

    @Test
    void thePolicyCanBeTurnedOff() {
        assertThat(RenderedChart.render(Map.of("networkPolicy.enabled", false)).all(NetworkPolicy.class)).isEmpty();
    }

    private static NetworkPolicyIngressRule ruleFor(NetworkPolicy policy, String portName) {
        return policy.getSpec().getIngress().stream()
                .filter(r -> r.getPorts().stream().anyMatch(p -> portName.equals(p.getPort().getStrVal())))
                .reduce((a, b) -> {
                    throw new AssertionError("several rules for port " + portName);
                })
                .orElseThrow(() -> new AssertionError("no rule for port " + portName));
    }
}
