package org.irisseg.audit;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A real Logback appender attached to a logger for the length of a test; thread-safe. */
final class AuditCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Logger logger;
    private final ConcurrentLinkedQueue<ILoggingEvent> events = new ConcurrentLinkedQueue<>();

    private AuditCapture(String loggerName) {
        this.logger = (Logger) LoggerFactory.getLogger(loggerName);
        setName("test-capture-" + System.nanoTime());
        setContext(logger.getLoggerContext());
        start();
        logger.addAppender(this);
    }

    static AuditCapture attach(String loggerName) {
        return new AuditCapture(loggerName);
    }

    @Override
    protected void append(ILoggingEvent event) {
        event.prepareForDeferredProcessing();
        events.add(event);
    }

    List<ILoggingEvent> events() {
        return List.copyOf(events);
    }

    /** The raw audit line of the call with this request id; waits for it (it is written after the response). */
    String line(String requestId) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            Optional<String> found = events.stream().map(ILoggingEvent::getFormattedMessage)
                    .filter(m -> requestId.equals(JSON.readTree(m).path("requestId").asString()))
                    .findFirst();
            if (found.isPresent()) {
                return found.get();
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return fail("no audit line with requestId " + requestId + " in " + events.size() + " lines");
    }

    JsonNode json(String requestId) {
        return JSON.readTree(line(requestId));
    }

    @Override
    public void close() {
        logger.detachAppender(this);
        stop();
    }
}
