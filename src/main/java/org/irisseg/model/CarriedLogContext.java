package org.irisseg.model;

import java.util.Map;
import java.util.concurrent.Callable;

import org.slf4j.MDC;

/**
 * Work handed to another thread that logs with the logging context (MDC) of the thread that handed it over:
 * the request id of the API call it serves ({@code logging.pattern.correlation}), so that a line logged on an
 * inference session's thread names its call. The other thread's own context is restored afterwards.
 */
final class CarriedLogContext {

    private CarriedLogContext() {
    }

    /** {@code work}, run with the calling thread's logging context as it is now. */
    static <T> Callable<T> carry(Callable<T> work) {
        Map<String, String> context = MDC.getCopyOfContextMap();
        return () -> {
            Map<String, String> previous = MDC.getCopyOfContextMap();
            set(context);
            try {
                return work.call();
            } finally {
                set(previous);
            }
        };
    }

    private static void set(Map<String, String> context) {
        if (context == null) {
            MDC.clear();
        } else {
            MDC.setContextMap(context);
        }
    }
}
