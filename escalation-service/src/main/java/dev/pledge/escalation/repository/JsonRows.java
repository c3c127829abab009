package dev.pledge.escalation.repository;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.pledge.events.EventJson;
import io.quarkus.hibernate.reactive.panache.Panache;
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
 * stays the same whatever the number of rows. Not a shared mechanism on purpose: for the shared
 * consumer's ids and the outbox's rows it made sla-service arm 17 % fewer contacts a second than
 * their {@code VALUES} (1,233–1,272/s against 1,520/s; why is not profiled yet).
 */
final class JsonRows {

    /**
     * The parameter {@code ?1} as a JSON document. Cast to text first: a string bound where PostgreSQL
     * expects {@code json} is sent by the Vert.x client as a JSON string, not as the document.
     */
    static final String JSON_1 = json(1);

    /**
     * {@code ?1}'s strings (a JSON array, {@link #array}) as a SQL array, for {@code column = ANY(...)}:
     * one parameter and the same statement whatever the number of values, read by an index scan.
     */
    static final String ARRAY_OF_1 = "ARRAY(SELECT json_array_elements_text(" + JSON_1 + "))";

    private JsonRows() {
    }

    /** The parameter {@code ?n} as a JSON document (see {@link #JSON_1}). */
    static String json(int n) {
        return "CAST(CAST(?" + n + " AS text) AS json)";
    }

    /**
     * {@code INSERT INTO table (columns)} of the rows in parameter {@code ?n} ({@link #objects}), in
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
     * Runs a statement whose parameters {@code ?1, ?2, ...} are these JSON texts: for instance inserts
     * into several tables in one round trip, each a data-modifying {@code WITH} of {@link #insertSql}.
     */
    static Uni<Integer> execute(String sql, String... json) {
        return Panache.getSession().chain(s -> {
            var q = s.createNativeQuery(sql);
            for (int i = 0; i < json.length; i++) {
                q.setParameter(i + 1, json[i]);
            }
            return q.executeUpdate();
        });
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
