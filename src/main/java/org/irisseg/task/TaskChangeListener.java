package org.irisseg.task;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Keeps this replica's {@link TaskCache} in step with the others: on a dedicated PostgreSQL connection it
 * {@code LISTEN}s to {@value PostgresTaskStore#CHANNEL} and drops the cached copy of every task another
 * replica changed. A lost connection is opened again (backing off up to {@value #MAX_BACKOFF_MS} ms), and
 * then the whole cache is dropped, since notifications sent meanwhile were missed; until then the cache's
 * staleness bound ({@code iris.store.max-staleness}) limits how long a changed task can be served.
 */
final class TaskChangeListener implements SmartLifecycle {

    /** Opens a new connection to the store's database. */
    @FunctionalInterface
    interface Connector {
        Connection connect() throws SQLException;
    }

    private static final Logger log = LoggerFactory.getLogger(TaskChangeListener.class);
    static final int POLL_MS = 500;
    static final long PING_NANOS = TimeUnit.SECONDS.toNanos(10);
    static final long MAX_BACKOFF_MS = 10_000;

    private final Connector connector;
    private final TaskCache cache;
    private final String origin;
    private volatile boolean running;
    private volatile boolean listening;
    private Thread thread;

    TaskChangeListener(Connector connector, TaskCache cache, String origin) {
        this.connector = connector;
        this.cache = cache;
        this.origin = origin;
    }

    @Override
    public synchronized void start() {
        running = true;
        thread = new Thread(this::run, "iris-task-changes");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public synchronized void stop() {
        running = false;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            thread = null;
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Whether change notifications are being received now. */
    boolean isListening() {
        return listening;
    }

    private void run() {
        long backoff = 500;
        boolean warned = false;
        while (running) {
            try (Connection connection = connector.connect()) {
                listen(connection);
                backoff = 500;
                warned = false;
            } catch (SQLException | RuntimeException e) {
                if (running && !warned) {
                    log.warn("Task change notifications interrupted ({}); cached tasks are checked against the store"
                            + " after iris.store.max-staleness until they resume", e.getMessage());
                    warned = true;
                }
            }
            listening = false;
            if (running) {
                sleep(backoff);
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
            }
        }
    }

    private void listen(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("LISTEN " + PostgresTaskStore.CHANNEL);
        }
        cache.invalidateAll();
        listening = true;
        log.info("Listening to task changes of other replicas");
        PGConnection pg = connection.unwrap(PGConnection.class);
        long lastPing = System.nanoTime();
        while (running) {
            PGNotification[] notifications = pg.getNotifications(POLL_MS);
            if (notifications != null) {
                for (PGNotification notification : notifications) {
                    onChange(notification.getParameter());
                }
            }
            if (System.nanoTime() - lastPing > PING_NANOS) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("SELECT 1");
                }
                lastPing = System.nanoTime();
            }
        }
    }

    /** Payload: the task id, a space, the origin of the store that changed it. */
    void onChange(String payload) {
        int space = payload.indexOf(' ');
        String id = space < 0 ? payload : payload.substring(0, space);
        if (space >= 0 && payload.substring(space + 1).equals(origin)) {
            return;
        }
        cache.invalidate(id);
    }

    private void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }
}
