package org.irisseg.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The iris-service Helm chart rendered by {@code helm template} (helm-java, the real Helm library) and
 * parsed into fabric8 Kubernetes objects.
 */
final class RenderedChart {

    static final Path CHART = RepositoryFiles.path("helm/iris-service");
    static final String RELEASE = "iris";
    /** The chart declares kubeVersion >= 1.25; helm template defaults to an older version. */
    static final String KUBE_VERSION = "1.30.0";

    private final String yaml;
    private final List<HasMetadata> objects;

    private RenderedChart(String yaml, List<HasMetadata> objects) {
        this.yaml = yaml;
        this.objects = objects;
    }

    /** Default values. */
    static RenderedChart defaults() {
        return render(Map.of());
    }

    /** The GPU example values file. */
    static RenderedChart gpu() {
        return render(Map.of(), "values-gpu.yaml");
    }

    /**
     * Renders with {@code valuesFiles} (relative to the chart) then {@code set} (like {@code --set}).
     *
     * @throws IllegalStateException with Helm's message when rendering fails (schema, {@code fail})
     */
    static RenderedChart render(Map<String, ?> set, String... valuesFiles) {
        return render(CHART, set, valuesFiles);
    }

    /**
     * The default values rendered with the {@code helm test} hooks as plain objects: helm-java's template,
     * like Helm's template action, leaves hooks out, so a copy of the chart has them moved out of
     * {@code templates/tests} and their hook annotations dropped.
     */
    static RenderedChart withTestHooks() {
        try {
            Path copy = Files.createTempDirectory("iris-chart");
            try (Stream<Path> files = Files.walk(CHART)) {
                for (Path file : files.toList()) {
                    Path target = copy.resolve(CHART.relativize(file).toString().replace("templates/tests/", "templates/"));
                    if (Files.isDirectory(file)) {
                        Files.createDirectories(target);
                    } else if (file.startsWith(CHART.resolve("templates/tests"))) {
                        Files.writeString(target, Files.readString(file).lines()
                                .filter(line -> !line.contains("helm.sh/hook"))
                                .collect(Collectors.joining("\n", "", "\n")));
                    } else {
                        Files.copy(file, target);
                    }
                }
            }
            return render(copy, Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static RenderedChart render(Path chart, Map<String, ?> set, String... valuesFiles) {
        TemplateCommand command = new Helm(chart).template().withName(RELEASE).withKubeVersion(KUBE_VERSION);
        for (String file : valuesFiles) {
            command = command.withValuesFile(chart.resolve(file));
        }
        for (Map.Entry<String, ?> entry : new LinkedHashMap<>(set).entrySet()) {
            command = command.set(entry.getKey(), entry.getValue());
        }
        String yaml = command.call();
        Object parsed = new KubernetesSerialization().unmarshal(yaml);
        List<HasMetadata> objects = parsed instanceof List<?> list
                ? list.stream().map(HasMetadata.class::cast).toList()
                : List.of((HasMetadata) parsed);
        return new RenderedChart(yaml, objects);
    }

    String yaml() {
        return yaml;
    }

    List<HasMetadata> objects() {
        return objects;
    }

    /** Every rendered object of {@code kind} (e.g. "ServiceMonitor"). */
    List<HasMetadata> ofKind(String kind) {
        return objects.stream().filter(o -> kind.equals(o.getKind())).toList();
    }

    /** The single rendered object of {@code type}; fails when there are none or several. */
    <T extends HasMetadata> T one(Class<T> type) {
        List<T> found = all(type);
        assertThat(found).as("rendered %s objects", type.getSimpleName()).hasSize(1);
        return found.get(0);
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    Deployment deployment() {
        return one(Deployment.class);
    }

    PodSpec podSpec() {
        return deployment().getSpec().getTemplate().getSpec();
    }

    /** The service container of the Deployment. */
    Container container() {
        List<Container> containers = podSpec().getContainers();
        assertThat(containers).hasSize(1);
        return containers.get(0);
    }

    /** The service container's environment, name -> value. */
    Map<String, String> env() {
        return container().getEnv().stream()
                .filter(e -> e.getValue() != null)
                .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue, (a, b) -> b, LinkedHashMap::new));
    }
}
