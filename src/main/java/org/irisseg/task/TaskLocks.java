package org.irisseg.task;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One lock per task id, held only while someone holds or waits for it: the entry is counted up before the
 * lock is taken and removed when the last holder lets go, so ids that come and go (deleted tasks, requests
 * for tasks that never existed) leave nothing behind, and a waiter never ends up on a lock the map forgot.
 */
final class TaskLocks {

    private static final class Counted {
        final ReentrantLock lock = new ReentrantLock();
        int users;
    }

    private final Map<String, Counted> locks = new ConcurrentHashMap<>();

    /** Takes the lock of {@code id}; give it back with {@link Held#close()}. */
    Held lock(String id) {
        Counted counted = locks.compute(id, (k, c) -> {
            Counted held = c == null ? new Counted() : c;
            held.users++;
            return held;
        });
        try {
            counted.lock.lock();
        } catch (RuntimeException | Error e) {
            release(id);
            throw e;
        }
        return () -> {
            counted.lock.unlock();
            release(id);
        };
    }

    /** Ids with a holder or waiter now. */
    int size() {
        return locks.size();
    }

    private void release(String id) {
        locks.computeIfPresent(id, (k, c) -> --c.users == 0 ? null : c);
    }

    /** A held lock. */
    @FunctionalInterface
    interface Held extends AutoCloseable {
        @Override
        void close();
    }
}
