package org.irisseg.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.irisseg.deploy.DockerfileInstructions.Instruction;
import org.irisseg.deploy.DockerfileInstructions.Stage;
import org.junit.jupiter.api.Test;

/**
 * The Dockerfile agrees with the rest of the project: the same Maven command as the Makefile and the
 * README, the paths the chart mounts, the user the chart runs as, the bundled model, the build context.
 * (The image itself is built and run by {@link ContainerImageTest} where a Docker engine exists.)
 */
class DockerfileTest {

    private static final DockerfileInstructions DOCKERFILE =
            DockerfileInstructions.parse(RepositoryFiles.read("Dockerfile"));
    private static final Pattern ENV_PAIR = Pattern.compile("([A-Z_][A-Z0-9_]*)=(\"[^\"]*\"|\\S+)");

    @Test
    void buildStageRunsTheProjectsMavenCommand() {
        List<String> maven = DOCKERFILE.stage("build").all("RUN").stream()
                .map(run -> BuildCommand.mavenIn(run.arguments()))
                .flatMap(java.util.Optional::stream)
                .toList();

        assertThat(maven).containsExactly(BuildCommand.MAVEN_PACKAGE);
    }

    @Test
    void makefileBuildTargetRunsTheSameMavenCommand() {
        Path makefile = RepositoryFiles.path("Makefile");
        assumeTrue(Files.isRegularFile(makefile), "no Makefile yet: only the Dockerfile's command is checked");

        assertThat(BuildCommand.mavenInMakeTarget(RepositoryFiles.read("Makefile"), "build"))
                .containsExactly(BuildCommand.MAVEN_PACKAGE);
    }

    @Test
    void readmeShowsTheSameMavenCommand() {
        Path readme = RepositoryFiles.path("README.md");
        assumeTrue(Files.isRegularFile(readme), "no README.md yet");
        String text = RepositoryFiles.read("README.md");
        assumeTrue(text.contains("mvn "), "README.md shows no Maven command");

        assertThat(text).contains(BuildCommand.MAVEN_PACKAGE);
    }

    @Test
    void runtimeIsNonRootAndMatchesTheChartsUser() {
        Stage runtime = DOCKERFILE.finalStage();
        String user = runtime.last("USER").orElseThrow().arguments();
        long chartUser = RenderedChart.defaults().container().getSecurityContext().getRunAsUser();

        assertThat(user).matches("\\d+(:\\d+)?");
        assertThat(Long.parseLong(user.split(":")[0])).isPositive().isEqualTo(chartUser);
    }

    @Test
    void dataDirectoryIsAVolumeAndIsWhereTheChartMountsTheStore() {
        Map<String, String> env = env(DOCKERFILE.finalStage());
        String volume = DOCKERFILE.finalStage().last("VOLUME").orElseThrow().arguments();

        assertThat(env).containsEntry("IRIS_STORE_DIR", "/data");
        assertThat(volume).isEqualTo("[\"/data\"]");
        assertThat(RenderedChart.defaults().env()).containsEntry("IRIS_STORE_DIR", env.get("IRIS_STORE_DIR"));
    }

    @Test
    void bundledModelIsCopiedWhereTheServiceLooksForIt() {
        Stage runtime = DOCKERFILE.finalStage();
        String workdir = runtime.last("WORKDIR").orElseThrow().arguments();
        Instruction copy = runtime.all("COPY").stream()
                .filter(c -> c.arguments().startsWith("models/iris-small"))
                .findFirst().orElseThrow(() -> new AssertionError("the model is not copied into the image"));
        String target = copy.arguments().split("\\s+")[1];
        Path copiedTo = Path.of(workdir).resolve(target).normalize();

        assertThat(Files.isRegularFile(RepositoryFiles.path("models/iris-small/model.json"))).isTrue();
        assertThat(env(runtime).get("IRIS_MODEL_DIR")).isEqualTo(copiedTo.toString());
        assertThat(RenderedChart.defaults().env()).containsEntry("IRIS_MODEL_DIR", copiedTo.toString());
    }

    @Test
    void healthcheckAsksReadinessOnTheManagementPort() {
        String healthcheck = DOCKERFILE.finalStage().last("HEALTHCHECK").orElseThrow().arguments();

        assertThat(healthcheck).contains("http://127.0.0.1:8081/actuator/health/readiness").contains("HealthCheck");
        assertThat(DOCKERFILE.finalStage().last("EXPOSE").orElseThrow().arguments()).isEqualTo("8080 8081");
    }

    @Test
    void jvmIsSizedFromTheContainerAndDjlStaysOffline() {
        Map<String, String> env = env(DOCKERFILE.finalStage());

        assertThat(env.get("JAVA_OPTS")).contains("-XX:MaxRAMPercentage=");
        assertThat(env).containsEntry("DJL_OFFLINE", "true").containsKey("DJL_CACHE_DIR");
        assertThat(DOCKERFILE.finalStage().all("RUN")).anySatisfy(run ->
                assertThat(run.arguments()).contains("PrefetchDjlNatives"));
        assertThat(DOCKERFILE.finalStage().last("ENTRYPOINT").orElseThrow().arguments())
                .contains("exec java $JAVA_OPTS -jar /opt/iris/iris-service.jar");
    }

    @Test
    void cudaFlavourUsesACudaBaseAndAJniFlavourDjlShips() {
        Stage cuda = DOCKERFILE.stage("base-cuda");
        String flavour = env(cuda).get("PYTORCH_FLAVOR");

        assertThat(cuda.base()).isEqualTo("${CUDA_IMAGE}");
        assertThat(globalArg("CUDA_IMAGE")).startsWith("nvidia/cuda:");
        assertThat(env(cuda)).containsEntry("IRIS_MODEL_DEVICE", "gpu");
        assertThat(getClass().getClassLoader().getResource("jnilib/linux-x86_64/" + flavour + "/libdjl_torch.so"))
                .as("pytorch-jni ships a %s JNI library", flavour).isNotNull();
        assertThat(DOCKERFILE.stage("base-cpu")).isNotNull();
        assertThat(DOCKERFILE.finalStage().base()).isEqualTo("base-${FLAVOUR}");
        assertThat(globalArg("FLAVOUR")).isEqualTo("cpu");
    }

    @Test
    void buildContextLetsThroughEverythingTheDockerfileCopies() {
        List<String> ignore = RepositoryFiles.read(".dockerignore").lines()
                .map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                .map(line -> line.replaceAll("/+$", ""))
                .toList();
        List<String> sources = DOCKERFILE.stages().stream()
                .flatMap(s -> s.all("COPY").stream())
                .map(Instruction::arguments)
                .filter(a -> !a.startsWith("--from"))
                .map(a -> a.split("\\s+")[0].replaceAll("/+$", ""))
                .toList();

        assertThat(ignore).first().isEqualTo("*");
        assertThat(sources).isNotEmpty().allSatisfy(source -> {
            assertThat(ignore).as("re-included in .dockerignore").contains("!" + source);
            assertThat(RepositoryFiles.path(source)).exists();
        });
    }

    private static String globalArg(String name) {
        return DOCKERFILE.global().stream()
                .filter(i -> i.keyword().equals("ARG") && i.arguments().startsWith(name + "="))
                .map(i -> i.arguments().substring(name.length() + 1))
                .findFirst().orElseThrow(() -> new AssertionError("no global ARG " + name));
    }

    /** Every {@code ENV KEY=value} of a stage (quotes removed). */
    private static Map<String, String> env(Stage stage) {
        Map<String, String> env = new java.util.LinkedHashMap<>();
        for (Instruction instruction : stage.all("ENV")) {
            Matcher matcher = ENV_PAIR.matcher(instruction.arguments());
            while (matcher.find()) {
                env.put(matcher.group(1), matcher.group(2).replaceAll("^\"|\"$", ""));
            }
        }
        return env;
    }
}
