package dev.pledge.feedback.service;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Plain SQL in the current Panache session's transaction: the consumer's, so facts, surveys, consumed
 * event ids and outbox rows commit together. Parameters are {@code ?1, ?2, ...}; give a type cast in the
 * statement where a parameter may be null.
 */
final class Sql {

    static Uni<Integer> update(String sql, Object... params) {
        return Panache.getSession().chain(session -> {
            var query = session.createNativeQuery(sql);
            bind(query::setParameter, params);
            return query.executeUpdate();
        });
    }

    static Uni<List<Object[]>> rows(String sql, Object... params) {
        return Panache.getSession().chain(session -> {
            var query = session.createNativeQuery(sql, Object[].class);
            bind(query::setParameter, params);
            return query.getResultList();
        }).map(Sql::arrays);
    }

    private static void bind(java.util.function.BiConsumer<Integer, Object> query, Object[] params) {
        for (int i = 0; i < params.length; i++) {
            Object p = params[i];
            query.accept(i + 1, p instanceof Instant at ? OffsetDateTime.ofInstant(at, ZoneOffset.UTC) : p);
        }
    }

    /** {@code (?1, ?2), (?3, ?4)} for two rows of two columns: a multi-row {@code VALUES} list. */
    static String valuesRows(int rows, int columns) {
        StringBuilder b = new StringBuilder();
        for (int r = 0; r < rows; r++) {
            b.append(r == 0 ? "(" : ", (");
            for (int c = 1; c <= columns; c++) {
                b.append(c == 1 ? "?" : ", ?").append(r * columns + c);
            }
            b.append(')');
        }
        return b.toString();
    }

    /** Rows as arrays, also where a statement returns one column. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static List<Object[]> arrays(List<?> rows) {
        return (List<Object[]>) (List) rows.stream().map(r -> r instanceof Object[] a ? a : new Object[] {r}).toList();
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
