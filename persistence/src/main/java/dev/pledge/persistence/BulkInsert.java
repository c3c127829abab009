package dev.pledge.persistence;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Many rows with one statement: {@code INSERT INTO t (a, b, …) SELECT … FROM unnest($1::text[], $2::int[], …)},
 * one array parameter per column, so the statement has one text whatever the number of rows and the
 * client binds a handful of parameters (decision 017: the fastest of the ways measured). Declared once
 * per table, as a constant:
 *
 * <pre>{@code
 * static final BulkInsert<SlaContact> CONTACTS = BulkInsert.<SlaContact>into("sla_contact")
 *         .text("contact_id", c -> c.contactId)
 *         .integer("kafka_partition", c -> c.partition)
 *         .time("received_at", c -> c.receivedAt)
 *         .then("ON CONFLICT (contact_id) DO NOTHING RETURNING contact_id");
 * }</pre>
 *
 * Run it in the current transaction ({@link #run}, {@link #returning}), bind it on a connection of the
 * reactive client ({@link #tuple}), or several tables in one round trip ({@link #together}).
 *
 * @param <T> what one row is made from
 */
public final class BulkInsert<T> {

    /** A column's PostgreSQL type, and the Java array its values are bound in. */
    private enum Type {
        TEXT("text"), INT("int"), BIGINT("bigint"), BOOLEAN("boolean"), TIMESTAMPTZ("timestamptz"), UUID("uuid");

        final String sql;

        Type(String sql) {
            this.sql = sql;
        }

        Object[] newArray(int n) {
            return switch (this) {
                case TEXT -> new String[n];
                case INT -> new Integer[n];
                case BIGINT -> new Long[n];
                case BOOLEAN -> new Boolean[n];
                case TIMESTAMPTZ -> new OffsetDateTime[n];
                case UUID -> new java.util.UUID[n];
            };
        }
    }

    private record Column<T>(String name, Type type, Function<T, ?> value) {
    }

    private final String table;
    private final List<Column<T>> columns;
    /** Columns whose value is an SQL expression, the same for every row ({@code clock_timestamp()}). */
    private final List<String[]> computed;
    /** Columns whose array value is selected through an expression over {@code u.<column>}. */
    private final java.util.Map<String, String> selecting;
    private final String where;
    private final boolean inOrder;
    private final String then;
    /** {@link #sql(int)} from {@code $1}, built once: the hot paths run it on every batch. */
    private final String sql;

    private BulkInsert(String table, List<Column<T>> columns, List<String[]> computed,
            java.util.Map<String, String> selecting, String where, boolean inOrder, String then) {
        this.table = table;
        this.columns = columns;
        this.computed = computed;
        this.selecting = selecting;
        this.where = where;
        this.inOrder = inOrder;
        this.then = then;
        this.sql = sql(1);
    }

    /** Starts the declaration of a table's insert. */
    public static <T> BulkInsert<T> into(String table) {
        return new BulkInsert<>(table, List.of(), List.of(), java.util.Map.of(), "", false, "");
    }

    public BulkInsert<T> text(String column, Function<T, String> value) {
        return with(new Column<>(column, Type.TEXT, value));
    }

    public BulkInsert<T> integer(String column, Function<T, Integer> value) {
        return with(new Column<>(column, Type.INT, value));
    }

    public BulkInsert<T> bigint(String column, Function<T, Long> value) {
        return with(new Column<>(column, Type.BIGINT, value));
    }

    public BulkInsert<T> bool(String column, Function<T, Boolean> value) {
        return with(new Column<>(column, Type.BOOLEAN, value));
    }

    /** A {@code timestamptz} column from an instant. */
    public BulkInsert<T> time(String column, Function<T, Instant> value) {
        return with(new Column<>(column, Type.TIMESTAMPTZ, value.andThen(Sql::utc)));
    }

    public BulkInsert<T> uuid(String column, Function<T, UUID> value) {
        return with(new Column<>(column, Type.UUID, value));
    }

    /** A column whose value is this SQL expression for every row, e.g. {@code clock_timestamp()}. */
    public BulkInsert<T> computed(String column, String expression) {
        List<String[]> more = new ArrayList<>(computed);
        more.add(new String[] {column, expression});
        return new BulkInsert<>(table, columns, more, selecting, where, inOrder, then);
    }

    /**
     * A declared column's value as this expression of the row's values ({@code u.<column>}), e.g.
     * {@code coalesce(u.cycle, 1)}.
     */
    public BulkInsert<T> selecting(String column, String expression) {
        java.util.Map<String, String> more = new java.util.HashMap<>(selecting);
        more.put(column, expression);
        return new BulkInsert<>(table, columns, computed, java.util.Map.copyOf(more), where, inOrder, then);
    }

    /** Only the rows for which this condition over {@code u.<column>} holds are inserted. */
    public BulkInsert<T> where(String condition) {
        return new BulkInsert<>(table, columns, computed, selecting, condition, inOrder, then);
    }

    /** Rows are inserted in list order (a serial column, {@code seq}, numbers them as listed). */
    public BulkInsert<T> inOrder() {
        return new BulkInsert<>(table, columns, computed, selecting, where, true, then);
    }

    /** What follows the insert: {@code ON CONFLICT …}, {@code RETURNING …}. */
    public BulkInsert<T> then(String clause) {
        return new BulkInsert<>(table, columns, computed, selecting, where, inOrder, clause);
    }

    private BulkInsert<T> with(Column<T> column) {
        List<Column<T>> more = new ArrayList<>(columns);
        more.add(column);
        return new BulkInsert<>(table, more, computed, selecting, where, inOrder, then);
    }

    /** The statement, its arrays numbered from {@code $first}. */
    public String sql(int first) {
        String names = columns.stream().map(Column::name).collect(Collectors.joining(", "));
        String selected = columns.stream().map(c -> selecting.getOrDefault(c.name(), "u." + c.name()))
                .collect(Collectors.joining(", "));
        String arrays = IntStream.range(0, columns.size())
                .mapToObj(i -> "$" + (first + i) + "::" + columns.get(i).type().sql + "[]")
                .collect(Collectors.joining(", "));
        String extraNames = computed.stream().map(c -> ", " + c[0]).collect(Collectors.joining());
        String extraValues = computed.stream().map(c -> ", " + c[1]).collect(Collectors.joining());
        String sql = "INSERT INTO " + table + " (" + names + extraNames + ") SELECT " + selected + extraValues
                + " FROM unnest(" + arrays + ")" + (inOrder ? " WITH ORDINALITY" : "") + " AS u(" + names
                + (inOrder ? ", ord)" : ")") + (where.isEmpty() ? "" : " WHERE " + where) + (inOrder ? " ORDER BY ord" : "");
        return then.isEmpty() ? sql : sql + " " + then;
    }

    /** The statement, its arrays {@code $1, $2, …}. */
    public String sql() {
        return sql;
    }

    /** One array per column, in declaration order, of these rows' values. */
    public Object[] arrays(List<? extends T> rows) {
        int n = rows.size();
        Object[] arrays = new Object[columns.size()];
        for (int c = 0; c < arrays.length; c++) {
            Column<T> column = columns.get(c);
            Object[] array = column.type().newArray(n); // typed, so the client binds it as that type's array
            for (int r = 0; r < n; r++) {
                array[r] = column.value().apply(rows.get(r));
            }
            arrays[c] = array;
        }
        return arrays;
    }

    /** The arrays as the reactive client's parameters, for {@code preparedQuery(insert.sql()).execute(...)}. */
    public Tuple tuple(List<? extends T> rows) {
        return Tuple.wrap(arrays(rows));
    }

    /** Inserts the rows in the current transaction ({@link Sql}); nothing for none. The number of rows inserted. */
    public Uni<Integer> run(List<? extends T> rows) {
        return rows.isEmpty() ? Uni.createFrom().item(0) : Sql.update(sql(), arrays(rows));
    }

    /** Inserts the rows in the current transaction and returns what its {@code RETURNING} clause names. */
    public Uni<List<Object[]>> returning(List<? extends T> rows) {
        return rows.isEmpty() ? Uni.createFrom().item(List.of()) : Sql.rows(sql(), arrays(rows));
    }

    /** These rows for this table, for {@link #together}. */
    public Rows<T> of(List<? extends T> rows) {
        return new Rows<>(this, rows);
    }

    /** Rows bound to their table's insert. */
    public record Rows<T>(BulkInsert<T> insert, List<? extends T> rows) {
    }

    /**
     * Several tables' rows in one statement, one round trip: each but the last a data-modifying
     * {@code WITH}; an empty list inserts nothing, and the statement's text stays the same. The tables
     * must not depend on each other's new rows (the parts see the same snapshot).
     */
    public static Uni<Void> together(List<Rows<?>> parts) {
        StringBuilder sql = new StringBuilder();
        List<Object> args = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            Rows<?> part = parts.get(i);
            String insert = part.insert().sql(args.size() + 1);
            if (i < parts.size() - 1) {
                sql.append(i == 0 ? "WITH " : ", ").append("p").append(i).append(" AS (").append(insert).append(")");
            } else {
                sql.append(parts.size() > 1 ? " " : "").append(insert);
            }
            args.addAll(List.of(arrays(part)));
        }
        return Sql.update(sql.toString(), args.toArray()).replaceWithVoid();
    }

    private static <T> Object[] arrays(Rows<T> part) {
        return part.insert().arrays(part.rows());
    }
}
