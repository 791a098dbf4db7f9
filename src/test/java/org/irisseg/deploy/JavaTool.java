package org.irisseg.deploy;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * One of the small Java programs under {@code docker/} that the image build compiles, compiled here
 * the same way ({@code javac --release 17}) and run in a separate JVM, as in the container.
 */
final class JavaTool {

    /** Exit status and combined output of one run. */
    record Result(int exitCode, String output) {
    }

    private final String mainClass;
    private final String classpath;

    private JavaTool(String mainClass, String classpath) {
        this.mainClass = mainClass;
        this.classpath = classpath;
    }

    /**
     * Compiles {@code docker/<mainClass>.java} into {@code outputDir} against {@code libraries}
     * (a class path, may be empty).
     */
    static JavaTool compile(String mainClass, Path outputDir, String libraries) {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        if (compiler == null) {
            throw new IllegalStateException("tests need a JDK (javax.tools) to compile docker/*.java");
        }
        Path source = RepositoryFiles.path("docker/" + mainClass + ".java");
        List<String> args = new ArrayList<>(List.of("--release", "17", "-d", outputDir.toString()));
        if (!libraries.isEmpty()) {
            args.addAll(List.of("-cp", libraries));
        }
        args.add(source.toString());
        int status = compiler.run(null, null, null, args.toArray(String[]::new));
        if (status != 0) {
            throw new IllegalStateException("javac failed for " + source);
        }
        String classpath = libraries.isEmpty() ? outputDir.toString() : outputDir + File.pathSeparator + libraries;
        return new JavaTool(mainClass, classpath);
    }

    /** The test class path (surefire's full one when available). */
    static String testClasspath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    /** Runs the tool with {@code env} added to a copy of this environment minus DJL/PyTorch settings. */
    Result run(Map<String, String> env, long timeoutSeconds, String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", classpath, mainClass));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("DJL_") || k.startsWith("PYTORCH_")
                || k.equals("ENGINE_CACHE_DIR") || k.equals("JAVA_TOOL_OPTIONS"));
        builder.environment().putAll(env);
        try {
            Process process = builder.start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(mainClass + " did not finish in " + timeoutSeconds + " s");
            }
            return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
