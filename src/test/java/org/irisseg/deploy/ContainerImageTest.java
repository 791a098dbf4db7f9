package org.irisseg.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * Builds the CPU image from the Dockerfile (docker CLI, BuildKit) and runs it with Testcontainers,
 * read-only like in Kubernetes: it becomes ready, answers an API call, and runs as the non-root user.
 * Needs a Docker engine and several minutes; skipped with the reason logged where there is none.
 * Exclude it with {@code -DexcludedGroups=docker}.
 */
@Tag("slow")
@Tag("docker")
class ContainerImageTest {

    private static final Logger LOG = LoggerFactory.getLogger(ContainerImageTest.class);
    private static final String IMAGE = "iris-service:container-test";

    @Test
    void imageBecomesReadyAndServesTheApi() throws Exception {
        boolean docker = dockerAvailable();
        if (!docker) {
            LOG.warn("No Docker engine: the image build and run are not exercised here "
                    + "(DockerfileTest and the chart tests check the configuration instead)");
        }
        assumeTrue(docker, "no Docker engine available: image build and run not exercised");

        build();
        try (GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(IMAGE))
                .withExposedPorts(8080, 8081)
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig()
                        .withReadonlyRootfs(true)
                        .withTmpFs(java.util.Map.of("/tmp", "rw,size=1g")))
                .waitingFor(Wait.forHttp("/actuator/health/readiness").forPort(8081).forStatusCode(200)
                        .withStartupTimeout(Duration.ofMinutes(5)))) {
            container.start();
            String base = "http://" + container.getHost() + ":" + container.getMappedPort(8080);

            HttpResponse<String> apiDocs = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(base + "/v3/api-docs")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(apiDocs.statusCode()).isEqualTo(200);
            HttpResponse<String> actuatorOnApiPort = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(base + "/actuator/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(actuatorOnApiPort.statusCode()).isEqualTo(404);
            assertThat(apiDocs.body()).contains("\"openapi\"").contains("\"paths\"");
            assertThat(container.execInContainer("id", "-u").getStdout().strip()).isEqualTo("10001");
            assertThat(container.execInContainer("touch", "/data/.write-test").getExitCode()).isZero();
        }
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** docker build (BuildKit: the Dockerfile uses RUN --mount), the same command as in the docs. */
    private static void build() throws IOException, InterruptedException {
        Process process = new ProcessBuilder(List.of("docker", "build", "-t", IMAGE, "."))
                .directory(RepositoryFiles.root().toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
    }
}
