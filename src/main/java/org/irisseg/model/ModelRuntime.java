package org.irisseg.model;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.irisseg.config.IrisProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.system.ApplicationHome;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import ai.djl.Device;
import tools.jackson.databind.json.JsonMapper;

/**
 * The loaded model: reads and verifies {@code model.json}, loads the three modules, warms them up and
 * hands out predictor sets through a {@link BoundedPool}. Start-up fails at once when there is no model
 * directory ({@link ModelDirectory}); loading then runs in the background so liveness answers at once,
 * and readiness stays false ({@link #state()}) until the model is verified and warm. On shutdown the
 * pool drains in-flight inferences before the modules are closed.
 */
@Component
public class ModelRuntime implements SmartLifecycle, DisposableBean {

    /** Where loading stands. */
    public enum State { LOADING, READY, FAILED }

    private static final Logger log = LoggerFactory.getLogger(ModelRuntime.class);
    private static final Duration SHUTDOWN_DRAIN = Duration.ofSeconds(30);

    private final IrisProperties properties;
    private final JsonMapper json;
    private final CountDownLatch settled = new CountDownLatch(1);
    private volatile State state = State.LOADING;
    private volatile String failure;
    private volatile ModelManifest manifest;
    private volatile MemoryBank memoryBank = MemoryBank.empty();
    private volatile TorchScriptModules modules;
    private volatile BoundedPool<InferenceSession> pool;
    private volatile boolean running;

    public ModelRuntime(IrisProperties properties, JsonMapper json) {
        this.properties = properties;
        this.json = json;
    }

    /**
     * Finds the model directory, then loads in the background.
     *
     * @throws ModelDirectory.NotFound when no model directory exists: the service does not start
     */
    @Override
    public void start() {
        Path dir;
        try {
            dir = ModelDirectory.resolve(properties.model().dir(), Path.of("").toAbsolutePath(),
                    new ApplicationHome(ModelRuntime.class).getDir().toPath());
        } catch (ModelDirectory.NotFound e) {
            failure = e.getMessage();
            state = State.FAILED;
            settled.countDown();
            throw e;
        }
        running = true;
        Thread loader = new Thread(() -> load(dir), "model-loader");
        loader.setDaemon(true);
        loader.start();
    }

    private void load(Path dir) {
        long start = System.nanoTime();
        try {
            ModelManifest read = ModelManifest.read(dir, json);
            ModelChecksums.verify(dir, read);
            MemoryBank bank = MemoryBank.read(dir, json, read.embeddingDim());
            Device device = properties.model().device() == IrisProperties.Device.GPU ? Device.gpu() : Device.cpu();
            TorchScriptModules loaded = TorchScriptModules.load(dir, read, device);
            List<InferenceSession> sessions = new ArrayList<>();
            try {
                for (int i = 0; i < properties.inference().maxConcurrent(); i++) {
                    sessions.add(loaded.newSession());
                }
                sessions.forEach(ModelWarmUp::run);
            } catch (RuntimeException e) {
                sessions.forEach(InferenceSession::close);
                loaded.close();
                throw e;
            }
            this.modules = loaded;
            this.manifest = read;
            this.memoryBank = bank;
            this.pool = new BoundedPool<>(sessions, properties.inference().queueCapacity(),
                    properties.inference().queueTimeout());
            state = State.READY;
            log.info("Model {} loaded from {} on {}, verified and warm in {} ms ({} predictor sets, {} built-in classes)",
                    read.modelVersion(), dir, device, (System.nanoTime() - start) / 1_000_000, sessions.size(),
                    bank.classes().size());
        } catch (RuntimeException | LinkageError e) {
            failure = e.getMessage();
            state = State.FAILED;
            log.error("Model from {} not loaded: {}", dir, e.getMessage());
        } finally {
            settled.countDown();
        }
    }

    public State state() {
        return state;
    }

    /** Why loading failed, when {@link #state()} is FAILED. */
    public String failure() {
        return failure;
    }

    /** Waits until loading has succeeded or failed; true when ready. */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        settled.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return state == State.READY;
    }

    /** The verified manifest; {@link ModelNotReadyException} while the model is not ready. */
    public ModelManifest manifest() {
        requireReady();
        return manifest;
    }

    /** The built-in classes of the loaded model; {@link ModelNotReadyException} while not ready. */
    public MemoryBank memoryBank() {
        requireReady();
        return memoryBank;
    }

    /** {@code name@version} of the loaded model; {@link ModelNotReadyException} while not ready. */
    public String modelVersion() {
        return manifest().modelVersion();
    }

    /**
     * A predictor set for one request; the wait goes into {@code timings} as {@link Stage#QUEUE_WAIT}.
     *
     * @throws PoolRefusedException   backpressure: the queue is full, or no set came back in time
     * @throws ModelNotReadyException while loading, or when loading failed
     */
    public BoundedPool.Lease<InferenceSession> lease(InferenceTimings timings) {
        requireReady();
        return pool.acquire(waited -> timings.add(Stage.QUEUE_WAIT, waited));
    }

    /** Requests waiting for a predictor set. */
    public int waiting() {
        BoundedPool<InferenceSession> p = pool;
        return p == null ? 0 : p.waiting();
    }

    /** Predictor sets busy now. */
    public int inUse() {
        BoundedPool<InferenceSession> p = pool;
        return p == null ? 0 : p.inUse();
    }

    private void requireReady() {
        if (state == State.LOADING) {
            throw new ModelNotReadyException(State.LOADING, "The model is still loading");
        }
        if (state == State.FAILED) {
            throw new ModelNotReadyException(State.FAILED,
                    "The model could not be loaded; the operator has to fix the model directory");
        }
    }

    @Override
    public void stop() {
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public void destroy() {
        BoundedPool<InferenceSession> p = pool;
        if (p != null) {
            p.close(SHUTDOWN_DRAIN, InferenceSession::close);
        }
        TorchScriptModules m = modules;
        if (m != null) {
            m.close();
        }
    }
}
