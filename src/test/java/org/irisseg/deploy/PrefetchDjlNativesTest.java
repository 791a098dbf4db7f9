package org.irisseg.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker/PrefetchDjlNatives.java, which fills DJL's engine cache while the image is built, run against
 * the project's real DJL/PyTorch CPU dependencies: afterwards the cache is readable by any user and the
 * engine loads offline without writing anything to it (in the container it is read-only and belongs
 * to root, while the service runs as uid 10001).
 */
@Tag("slow")
@TestMethodOrder(OrderAnnotation.class)
class PrefetchDjlNativesTest {

    @TempDir
    static Path work;

    private static JavaTool prefetch;
    private static Path cache;

    @BeforeAll
    static void compile() throws IOException {
        Path classes = Files.createDirectories(work.resolve("classes"));
        cache = work.resolve("djl-cache");
        prefetch = JavaTool.compile("PrefetchDjlNatives", classes, JavaTool.testClasspath());
    }

    @Test
    @Order(1)
    void fillsTheCacheWithTheCpuNativesAndLoadsThem() throws IOException {
        JavaTool.Result result = prefetch.run(Map.of("DJL_CACHE_DIR", cache.toString()), 300, "cpu");

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("natives ready in " + cache.toAbsolutePath().resolve("pytorch"));
        assertThat(files(cache).keySet()).extracting(path -> path.getFileName().toString())
                .contains("libtorch_cpu.so")
                .anySatisfy(name -> assertThat(name).endsWith("-libdjl_torch.so"));
    }

    @Test
    @Order(2)
    void leavesTheCacheReadableByTheNonRootRuntimeUser() throws IOException {
        try (Stream<Path> paths = Files.walk(cache)) {
            for (Path path : paths.toList()) {
                Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path);
                assertThat(permissions).as(path.toString()).contains(PosixFilePermission.OTHERS_READ);
                if (Files.isDirectory(path)) {
                    assertThat(permissions).as(path.toString()).contains(PosixFilePermission.OTHERS_EXECUTE);
                }
            }
        }
    }

    @Test
    @Order(3)
    void secondStartIsOfflineAndLeavesTheCacheUntouched() throws IOException {
        Map<Path, String> before = files(cache);

        JavaTool.Result result = prefetch.run(
                Map.of("DJL_CACHE_DIR", cache.toString(), "DJL_OFFLINE", "true"), 120, "cpu");

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(files(cache)).isEqualTo(before);
    }

    @Test
    @Order(4)
    void failsWhenTheResolvedFlavourIsNotTheExpectedOne() {
        JavaTool.Result result = prefetch.run(
                Map.of("DJL_CACHE_DIR", cache.toString(), "DJL_OFFLINE", "true"), 120, "cu128");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.output()).contains("expected the cu128 flavour");
    }

    /** Every regular file under {@code dir}: path -> size and modification time. */
    private static Map<Path, String> files(Path dir) throws IOException {
        Map<Path, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path path : walk.filter(Files::isRegularFile).toList()) {
                files.put(path, Files.size(path) + "@" + Files.getLastModifiedTime(path));
            }
        }
        return files;
    }
}
