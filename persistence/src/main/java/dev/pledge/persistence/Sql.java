package dev.pledge.persistence;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.hibernate.reactive.mutiny.Mutiny;
import org.hibernate.reactive.mutiny.impl.MutinySessionImpl;
import org.hibernate.reactive.pool.ReactiveConnection;

/**
 * A statement on the connection of the current Hibernate Reactive transaction, handed to the
 * PostgreSQL client as it is: {@code $1}-style parameters, an array binds as one parameter, an
 * {@link Instant} goes as a UTC time. The one way to run set-based SQL in a service's transaction
 * (decision 017): Hibernate's native queries parse the SQL and bind one parameter at a time, which
 * cost a fifth of a busy consumer's CPU with multi-row {@code VALUES}. Runs of rows go through
 * {@link BulkInsert}. Changes still in the session are not flushed first (a statement batch already
 * sent to the connection is), so use it for rows the session has not touched; rows written this way
 * are not in the session, and a later query reads them. Entities stay the way to read and change a
 * few rows.
 *
 * <p>PostgreSQL infers one type per parameter: a {@code $2} used where a varchar and where a text is
 * expected is refused ("inconsistent types deduced"); cast it ({@code $2::text}), and give a cast
 * where a parameter may be null. Inside a transaction the Vert.x client of Quarkus 3.27 (4.5.21)
 * reports such a refusal as {@code 25P02} "current transaction is aborted"
 * (eclipse-vertx/vertx-sql-client#1557, fixed in later releases); to see the real error,
 * {@code PREPARE} the statement in psql.
 */
public final class Sql {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private Sql() {
    }

    /** Runs a statement that returns no rows; the number of rows it changed. */
    public static Uni<Integer> update(String sql, Object... args) {
        Object[] bound = bind(args);
        return Panache.getSession().chain(s -> Uni.createFrom().completionStage(() -> connection(s).update(sql, bound)));
    }

    /** Runs a query (or a statement with {@code RETURNING}); each row's columns in order. */
    public static Uni<List<Object[]>> rows(String sql, Object... args) {
        Object[] bound = bind(args);
        return Panache.getSession().chain(s -> Uni.createFrom().completionStage(() -> connection(s).select(sql, bound)))
                .map(result -> {
                    List<Object[]> rows = new ArrayList<>(result.size());
                    result.forEachRemaining(rows::add);
                    return rows;
                });
    }

    /** An instant as PostgreSQL's client binds a {@code timestamptz}; null stays null. */
    public static OffsetDateTime utc(Instant at) {
        return at == null ? null : at.atOffset(ZoneOffset.UTC);
    }

    /** A time column's value as an instant, whichever Java type the driver gave it; null stays null. */
    public static Instant instant(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof OffsetDateTime o) {
            return o.toInstant();
        }
        if (value instanceof Instant i) {
            return i;
        }
        if (value instanceof java.sql.Timestamp t) {
            return t.toInstant();
        }
        if (value instanceof LocalDateTime l) {
            return l.toInstant(ZoneOffset.UTC);
        }
        throw new IllegalArgumentException("not a time: " + value.getClass());
    }

    /** The database's clock, by a blocking call: for threads of their own (timer engines), never an event loop. */
    public static Instant databaseNow(Pool pool) {
        return pool.query("SELECT clock_timestamp() AS now").execute().await().atMost(TIMEOUT).iterator().next()
                .getOffsetDateTime("now").toInstant();
    }

    /**
     * For a Hibernate native query ({@code ?1}-style), keys as one parameter: {@code column = ANY(}{@link
     * #TEXTS_OF_1}{@code )} with {@link #texts} bound to {@code ?1}, so the statement's text is the same
     * whatever the number of keys, and read by an index scan. The string is cast to text first: a string
     * bound where PostgreSQL expects {@code json} is sent by the Vert.x client as a JSON string.
     */
    public static final String TEXTS_OF_1 = "ARRAY(SELECT json_array_elements_text(CAST(CAST(?1 AS text) AS json)))";

    /** Strings as a JSON array, for {@link #TEXTS_OF_1}. */
    public static String texts(Collection<String> values) {
        StringBuilder json = new StringBuilder(values.size() * 40).append('[');
        for (String v : values) {
            if (json.length() > 1) {
                json.append(',');
            }
            json.append('"');
            for (int i = 0; i < v.length(); i++) {
                char c = v.charAt(i);
                if (c == '"' || c == '\\') {
                    json.append('\\').append(c);
                } else if (c < 0x20) {
                    json.append(String.format("\\u%04x", (int) c));
                } else {
                    json.append(c);
                }
            }
            json.append('"');
        }
        return json.append(']').toString();
    }

    private static Object[] bind(Object[] params) {
        Object[] bound = params;
        for (int i = 0; i < params.length; i++) {
            if (params[i] instanceof Instant at) {
                if (bound == params) {
                    bound = params.clone();
                }
                bound[i] = utc(at);
            }
        }
        return bound;
    }

    /** The session's own connection, so the statement runs in its transaction. */
    private static ReactiveConnection connection(Mutiny.Session session) {
        if (session instanceof MutinySessionImpl impl) {
            return impl.getReactiveConnection();
        }
        throw new IllegalStateException("not a Hibernate Reactive Mutiny session: " + session.getClass().getName());
    }
}
