package dev.pledge.escalation.repository;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.pledge.events.EventJson;
import dev.pledge.outbox.SessionSql;
import io.smallrye.mutiny.Uni;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;

/**
 * Many rows written by one statement with one parameter, in the caller's Hibernate Reactive
 * transaction: the rows go as a JSON array, and the statement reads them with
 * {@code json_populate_recordset} or {@code json_array_elements_text}. A multi-row {@code VALUES}
 * with a parameter per value made Hibernate parse the SQL and bind every parameter one by one, a
 * fifth of escalation-service's CPU at 1,000 events/s (bench/README.md); and the statement's text
 * stays the same whatever the number of rows. The shared consumer, the outbox and sla-service bind
 * a column per array instead ({@code unnest}, through {@link SessionSql}); JSON was slower for them
 * when it went through Hibernate (bench/README.md). Here a row has up to 17 columns in four tables.
 */
final class JsonRows {

    /**
     * {@code ?1}'s strings (a JSON array, {@link #array}) as a SQL array, for {@code column = ANY(...)}
     * in a Hibernate query: one parameter and the same statement whatever the number of values, read
     * by an index scan. The string is cast to text first: a string bound where PostgreSQL expects
     * {@code json} is sent by the Vert.x client as a JSON string, not as the document.
     */
    static final String ARRAY_OF_1 = "ARRAY(SELECT json_array_elements_text(CAST(CAST(?1 AS text) AS json)))";

    private JsonRows() {
    }

    /** The parameter {@code $n} of a statement {@link #execute} runs, as a JSON document. */
    static String json(int n) {
        return "$" + n + "::text::json";
    }

    /**
     * {@code INSERT INTO table (columns)} of the rows in parameter {@code $n} ({@link #objects}), in
     * list order. {@code json_populate_recordset} reads each object as a row of the table, matching
     * keys to column names and casting each value to the column's type; columns not named are left
     * to their defaults.
     */
    static String insertSql(String table, String[] columns, int n) {
        String list = String.join(", ", columns);
        return "INSERT INTO " + table + " (" + list + ") SELECT " + list + " FROM json_populate_recordset(NULL::"
                + table + ", " + json(n) + ") WITH ORDINALITY AS r ORDER BY r.ordinality";
    }

    /**
     * Runs a statement whose parameters {@code $1, $2, ...} are these JSON texts ({@link #json}): for
     * instance inserts into several tables in one round trip, each a data-modifying {@code WITH} of
     * {@link #insertSql}. Through {@link SessionSql}: the session's pending changes are not flushed.
     */
    static Uni<Integer> execute(String sql, String... json) {
        return SessionSql.update(sql, (Object[]) json);
    }

    /** Strings as a JSON array, for {@code json_array_elements_text}. */
    static String array(List<String> values) {
        StringWriter out = new StringWriter(values.size() * 40);
        try (JsonGenerator g = EventJson.mapper().getFactory().createGenerator(out)) {
            g.writeStartArray();
            for (String v : values) {
                g.writeString(v);
            }
            g.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** Rows as a JSON array of objects keyed by column; instants in ISO-8601, which PostgreSQL reads exactly. */
    static <T> String objects(String[] columns, List<T> rows, Function<T, Object[]> values) {
        StringWriter out = new StringWriter(rows.size() * columns.length * 24);
        try (JsonGenerator g = EventJson.mapper().getFactory().createGenerator(out)) {
            g.writeStartArray();
            for (T row : rows) {
                Object[] v = values.apply(row);
                if (v.length != columns.length) {
                    throw new IllegalArgumentException(columns.length + " columns but " + v.length + " values");
                }
                g.writeStartObject();
                for (int i = 0; i < columns.length; i++) {
                    g.writeFieldName(columns[i]);
                    write(g, v[i]);
                }
                g.writeEndObject();
            }
            g.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void write(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof Integer i) {
            g.writeNumber(i);
        } else if (v instanceof Long l) {
            g.writeNumber(l);
        } else if (v instanceof Instant || v instanceof String || v instanceof java.util.UUID) {
            g.writeString(v.toString());
        } else {
            throw new IllegalArgumentException("no JSON form for " + v.getClass().getName());
        }
    }
}
