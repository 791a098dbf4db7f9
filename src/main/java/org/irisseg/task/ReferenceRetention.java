package org.irisseg.task;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.irisseg.config.IrisProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Sweeps kept reference files older than {@code iris.store.reference-retention} out of the store
 * ({@link TaskStore#removeExpiredReferenceFiles()}): the stores sweep at start-up, this every half retention,
 * at least every hour and at most every second. Nothing runs without a retention.
 */
@Component
class ReferenceRetention implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(ReferenceRetention.class);
    static final Duration MAX_INTERVAL = Duration.ofHours(1);
    static final Duration MIN_INTERVAL = Duration.ofSeconds(1);

    private final ScheduledExecutorService scheduler;

    ReferenceRetention(TaskStore store, IrisProperties properties) {
        Duration retention = properties.store().referenceRetention();
        if (retention == null) {
            this.scheduler = null;
            return;
        }
        long interval = interval(retention).toMillis();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "iris-reference-retention");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                store.removeExpiredReferenceFiles();
            } catch (RuntimeException e) {
                log.warn("Could not sweep expired reference files: {}", e.getMessage());
            }
        }, interval, interval, TimeUnit.MILLISECONDS);
        log.info("Kept reference files are removed {} after they were last kept (swept every {})", retention,
                Duration.ofMillis(interval));
    }

    /** Half the retention, within [{@link #MIN_INTERVAL}, {@link #MAX_INTERVAL}]. */
    static Duration interval(Duration retention) {
        Duration half = retention.dividedBy(2);
        return half.compareTo(MAX_INTERVAL) > 0 ? MAX_INTERVAL : half.compareTo(MIN_INTERVAL) < 0 ? MIN_INTERVAL : half;
    }

    @Override
    public void destroy() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }
}
