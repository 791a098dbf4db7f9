package org.irisseg.task;

import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionException;
import org.springframework.transaction.support.TransactionCallback;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;

/**
 * Transactions of the PostgreSQL task store and the one place where database failures become the store's
 * typed exceptions: an unreachable or failing-over database is {@link TaskStoreUnavailableException} (503,
 * retry later), any other database error {@link TaskStoreException}. Everything else passes unchanged.
 */
final class StoreTransactions {

    private final TransactionTemplate write;
    private final TransactionTemplate read;

    StoreTransactions(DataSource dataSource) {
        JdbcTransactionManager manager = new JdbcTransactionManager(dataSource);
        this.write = new TransactionTemplate(manager);
        this.read = new TransactionTemplate(manager);
        read.setReadOnly(true);
        // one snapshot for the several queries that read one task
        read.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
    }

    /** Runs a change in one transaction. */
    <T> T write(String what, TransactionCallback<T> work) {
        return translated(what, () -> write.execute(work));
    }

    /** Runs reads on one consistent snapshot. */
    <T> T read(String what, TransactionCallback<T> work) {
        return translated(what, () -> read.execute(work));
    }

    /** Runs one statement outside a transaction. */
    <T> T statement(String what, java.util.function.Supplier<T> work) {
        return translated(what, work);
    }

    private static <T> T translated(String what, java.util.function.Supplier<T> work) {
        try {
            return work.get();
        } catch (DataAccessResourceFailureException | TransientDataAccessException
                | RecoverableDataAccessException | TransactionException e) {
            throw new TaskStoreUnavailableException("Cannot " + what + ": " + e.getMostSpecificCause().getMessage(), e);
        } catch (DataAccessException e) {
            throw new TaskStoreException("Cannot " + what + ": " + e.getMostSpecificCause().getMessage(), e);
        }
    }
}
