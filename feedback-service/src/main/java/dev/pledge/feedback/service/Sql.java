package dev.pledge.feedback.service;

import dev.pledge.outbox.SessionSql;
import io.smallrye.mutiny.Uni;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Plain SQL in the current Panache session's transaction: the consumer's, so facts, surveys, consumed
 * event ids and outbox rows commit together. Through {@link SessionSql}: the PostgreSQL client binds
 * the parameters, Hibernate does not parse the statement (feedback-service has no entities).
 * Parameters are {@code $1, $2, ...}; instants go as UTC times. Give a type cast in the statement
 * where a parameter may be null, and where one is used twice in places of different types
 * ({@code status = $2 ... CASE WHEN $2 = 'resolved'}: varchar and text) — PostgreSQL infers one
 * type per parameter, and refuses the statement otherwise.
 */
final class Sql {

    static Uni<Integer> update(String sql, Object... params) {
        return SessionSql.update(sql, bind(params));
    }

    static Uni<List<Object[]>> rows(String sql, Object... params) {
        return SessionSql.query(sql, bind(params));
    }

    private static Object[] bind(Object[] params) {
        Object[] bound = new Object[params.length];
        for (int i = 0; i < params.length; i++) {
            Object p = params[i];
            bound[i] = p instanceof Instant at ? OffsetDateTime.ofInstant(at, ZoneOffset.UTC) : p;
        }
        return bound;
    }

    static Instant instant(Object value) {
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
        if (value instanceof java.time.LocalDateTime l) {
            return l.toInstant(ZoneOffset.UTC);
        }
        throw new IllegalArgumentException("not a time: " + value.getClass());
    }

    private Sql() {
    }
}
