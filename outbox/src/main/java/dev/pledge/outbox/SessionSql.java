package dev.pledge.outbox;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.List;
import org.hibernate.reactive.mutiny.Mutiny;
import org.hibernate.reactive.mutiny.impl.MutinySessionImpl;
import org.hibernate.reactive.pool.ReactiveConnection;

/**
 * A statement on the connection of the current Hibernate Reactive transaction, handed to the
 * PostgreSQL client as it is: {@code $1}-style parameters, and an array binds as one parameter. For
 * the hot paths that write many rows with one statement ({@code INSERT … SELECT … FROM unnest($1::text[],
 * …)}): Hibernate's native queries parse the SQL and bind one parameter at a time, which cost a fifth
 * of a busy consumer's CPU with multi-row {@code VALUES}. Changes still in the session are not
 * flushed first (a statement batch already sent to the connection is), so use it for rows the session
 * has not touched; rows written this way are not in the session, and a later query reads them. Entities
 * stay the way to read and change a few rows.
 *
 * <p>PostgreSQL infers one type per parameter: a {@code $2} used where a varchar and where a text is
 * expected is refused ("inconsistent types deduced"); cast it ({@code $2::text}). Inside a transaction
 * the Vert.x client of Quarkus 3.27 (4.5.21) reports such a refusal as {@code 25P02} "current
 * transaction is aborted" (eclipse-vertx/vertx-sql-client#1557, fixed in later releases); to see the
 * real error, {@code PREPARE} the statement in psql.
 */
public final class SessionSql {
    private SessionSql() {
    }

    /** Runs a statement that returns no rows; the number of rows it changed. */
    public static Uni<Integer> update(String sql, Object... args) {
        return Panache.getSession().chain(s -> Uni.createFrom().completionStage(() -> connection(s).update(sql, args)));
    }

    /** Runs a query (or a statement with {@code RETURNING}); each row's columns in order. */
    public static Uni<List<Object[]>> query(String sql, Object... args) {
        return Panache.getSession().chain(s -> Uni.createFrom().completionStage(() -> connection(s).select(sql, args)))
                .map(result -> {
                    List<Object[]> rows = new ArrayList<>(result.size());
                    result.forEachRemaining(rows::add);
                    return rows;
                });
    }

    /** The session's own connection, so the statement runs in its transaction. */
    private static ReactiveConnection connection(Mutiny.Session session) {
        if (session instanceof MutinySessionImpl impl) {
            return impl.getReactiveConnection();
        }
        throw new IllegalStateException("not a Hibernate Reactive Mutiny session: " + session.getClass().getName());
    }
}
