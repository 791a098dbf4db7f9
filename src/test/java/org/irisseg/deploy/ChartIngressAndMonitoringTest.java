package org.irisseg.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The optional Ingress (large uploads, the API port only, TLS in the production example) and ServiceMonitor
 * (Prometheus Operator, on the management port).
 */
class ChartIngressAndMonitoringTest {

    @Test
    void ingressAllowsLargeUploadsAndLongInferences() {
        Ingress ingress = RenderedChart.render(Map.of("ingress.enabled", true)).one(Ingress.class);

        assertThat(ingress.getMetadata().getAnnotations())
                .containsEntry("nginx.ingress.kubernetes.io/proxy-body-size", "1g")
                .containsEntry("nginx.ingress.kubernetes.io/proxy-read-timeout", "300")
                .containsEntry("nginx.ingress.kubernetes.io/proxy-send-timeout", "300")
                .containsEntry("nginx.ingress.kubernetes.io/proxy-request-buffering", "off");
    }

    @Test
    void ingressRoutesToTheServiceHttpPort() {
        RenderedChart chart = RenderedChart.render(Map.of(
                "ingress.enabled", true,
                "ingress.className", "nginx",
                "ingress.hosts[0].host", "iris.hospital.example",
                "ingress.hosts[0].paths[0].path", "/",
                "ingress.hosts[0].paths[0].pathType", "Prefix"));
        Ingress ingress = chart.one(Ingress.class);

        assertThat(ingress.getSpec().getIngressClassName()).isEqualTo("nginx");
        assertThat(ingress.getSpec().getRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getHost()).isEqualTo("iris.hospital.example");
            HTTPIngressPath path = rule.getHttp().getPaths().get(0);
            assertThat(path.getBackend().getService().getName())
                    .isEqualTo(chart.one(Service.class).getMetadata().getName());
            assertThat(path.getBackend().getService().getPort().getName()).isEqualTo("http");
        });
    }

    @Test
    void userAnnotationsOverrideTheChartsAndNginxOnesCanBeLeftOut() {
        Ingress overridden = RenderedChart.render(Map.of(
                "ingress.enabled", true,
                "ingress.annotations.nginx\\.ingress\\.kubernetes\\.io/proxy-body-size", "4g"))
                .one(Ingress.class);
        Ingress plain = RenderedChart.render(Map.of("ingress.enabled", true, "ingress.nginxAnnotations", false))
                .one(Ingress.class);

        assertThat(overridden.getMetadata().getAnnotations())
                .containsEntry("nginx.ingress.kubernetes.io/proxy-body-size", "4g");
        assertThat(plain.getMetadata().getAnnotations()).isNullOrEmpty();
    }

    @Test
    void ingressNeverRoutesTheManagementPort() {
        RenderedChart chart = RenderedChart.render(Map.of(
                "ingress.enabled", true,
                "ingress.hosts[0].host", "iris.hospital.example",
                "ingress.hosts[0].paths[0].path", "/",
                "ingress.hosts[0].paths[0].pathType", "Prefix",
                "ingress.hosts[0].paths[1].path", "/actuator",
                "ingress.hosts[0].paths[1].pathType", "Prefix",
                "ingress.hosts[1].host", "iris-b.hospital.example",
                "ingress.hosts[1].paths[0].path", "/api",
                "ingress.hosts[1].paths[0].pathType", "Prefix"));
        List<HTTPIngressPath> paths = chart.one(Ingress.class).getSpec().getRules().stream()
                .flatMap(rule -> rule.getHttp().getPaths().stream()).toList();

        assertThat(paths).hasSize(3).allSatisfy(path -> {
            assertThat(path.getBackend().getService().getPort().getName()).isEqualTo("http");
            assertThat(path.getBackend().getService().getPort().getNumber()).isNull();
        });
    }

    @Test
    void theProductionExampleTerminatesTlsAtTheIngressForEveryHost() {
        RenderedChart chart = RenderedChart.render(Map.of(), "values-production.yaml");
        Ingress ingress = chart.one(Ingress.class);

        assertThat(ingress.getSpec().getTls()).singleElement().satisfies(tls -> {
            assertThat(tls.getSecretName()).isNotBlank();
            assertThat(tls.getHosts()).containsExactlyInAnyOrderElementsOf(ingress.getSpec().getRules().stream()
                    .map(rule -> rule.getHost()).toList());
        });
        assertThat(ingress.getMetadata().getAnnotations())
                .containsEntry("nginx.ingress.kubernetes.io/force-ssl-redirect", "true");
        assertThat(chart.env()).containsEntry("IRIS_SECURITY_ENABLED", "true")
                .containsKey("SPRING_SECURITY_OAUTH2_RESOURCESERVER_JWT_ISSUER_URI");
        assertThat(chart.container().getEnv()).anySatisfy(env -> {
            assertThat(env.getName()).isEqualTo("IRIS_SECURITY_API_KEY_HASHES");
            assertThat(env.getValueFrom().getSecretKeyRef().getName()).isEqualTo("iris-api-keys");
        });
        assertThat(chart.ofKind("ServiceMonitor")).hasSize(1);
    }

    @Test
    void serviceMonitorScrapesThePrometheusEndpoint() {
        RenderedChart chart = RenderedChart.render(Map.of("serviceMonitor.enabled", true));
        List<HasMetadata> monitors = chart.ofKind("ServiceMonitor");

        assertThat(monitors).singleElement().isInstanceOf(GenericKubernetesResource.class);
        GenericKubernetesResource monitor = (GenericKubernetesResource) monitors.get(0);
        assertThat(monitor.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
        Map<String, Object> endpoint = monitor.<List<Map<String, Object>>>get("spec", "endpoints").get(0);
        assertThat(endpoint).containsEntry("port", "management").containsEntry("path", "/actuator/prometheus");
        assertThat(chart.one(Service.class).getSpec().getPorts()).anySatisfy(port -> {
            assertThat(port.getName()).isEqualTo("management");
            assertThat(port.getPort()).isEqualTo(8081);
        });
        assertThat(monitor.<Map<String, Object>>get("spec", "selector", "matchLabels"))
                .isEqualTo(chart.one(Service.class).getSpec().getSelector());
    }
}
