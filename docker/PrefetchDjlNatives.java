import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.LibUtils;
import ai.djl.util.Utils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Resolves DJL's PyTorch native libraries into the engine cache while the image is built, so that
 * containers start offline ({@code DJL_OFFLINE=true}) and with a read-only root filesystem.
 *
 * <p>CPU flavour: the libraries come from the {@code pytorch-native-cpu} jar on the classpath and are
 * extracted into the cache. CUDA flavour: {@code PYTORCH_FLAVOR=cu128} is set and no native jar is on
 * the classpath, so DJL downloads the CUDA build of libtorch (build time only). Either way the
 * PyTorch JNI library is copied next to them.
 *
 * <p>DJL creates the cache folders owner-only (they start as temporary directories); the image builds
 * as root and runs as another user, so everything in the cache is then made readable by all.
 *
 * <p>Fails (non-zero exit) when the engine does not load, when the libraries resolved outside the
 * cache, when their flavour is not {@code expected-flavour}, or when a 2x3 tensor of ones does not
 * sum to 6 on the CPU.
 *
 * <p>Usage: {@code java -cp "tools:lib/*" PrefetchDjlNatives expected-flavour} (e.g. {@code cpu},
 * {@code cu128}); the cache is {@code DJL_CACHE_DIR} (or {@code ENGINE_CACHE_DIR}).
 */
public final class PrefetchDjlNatives {

    private PrefetchDjlNatives() {
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: PrefetchDjlNatives expected-flavour");
            System.exit(2);
        }
        String expectedFlavour = args[0];
        Engine engine = Engine.getEngine("PyTorch");
        Path cache = Utils.getEngineCacheDir("pytorch").toAbsolutePath();
        Path libDir = Path.of(LibUtils.getLibtorchPath()).toAbsolutePath();
        if (!libDir.startsWith(cache)) {
            fail("libtorch was loaded from " + libDir + ", outside the engine cache " + cache);
        }
        String resolved = libDir.getFileName().toString();
        if (!resolved.contains("-" + expectedFlavour + "-")) {
            fail("expected the " + expectedFlavour + " flavour of libtorch but resolved " + resolved
                    + " (for cu* flavours pytorch-native-cpu must not be on the classpath)");
        }
        try (NDManager manager = engine.newBaseManager(Device.cpu())) {
            float sum = manager.ones(new Shape(2, 3)).sum().getFloat();
            if (sum != 6f) {
                fail("sanity check failed: sum of a 2x3 tensor of ones is " + sum);
            }
        }
        makeReadableByAll(cache);
        System.out.println("PyTorch " + engine.getVersion() + " natives ready in " + libDir);
    }

    /** Adds read (and, for directories, traverse) permission for group and others under {@code dir}. */
    private static void makeReadableByAll(Path dir) {
        Set<PosixFilePermission> read = EnumSet.of(PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ);
        Set<PosixFilePermission> traverse = EnumSet.of(
                PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_EXECUTE);
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.toList()) {
                Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path);
                permissions.addAll(read);
                if (Files.isDirectory(path)) {
                    permissions.addAll(traverse);
                }
                Files.setPosixFilePermissions(path, permissions);
            }
        } catch (IOException e) {
            fail("cannot make " + dir + " readable: " + e);
        }
    }

    private static void fail(String message) {
        System.err.println("PrefetchDjlNatives: " + message);
        System.exit(1);
    }
}
