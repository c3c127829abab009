package dev.pledge.timers;

import io.vertx.mutiny.sqlclient.Row;
import java.util.List;
import java.util.function.Function;

/**
 * A service's timer table as the engine reads it: the table, the columns that name one timer (with
 * their PostgreSQL types), how a row's key is read and how a key is written back as those columns'
 * values. Every such table has {@code kafka_partition} and {@code next_fire_at} (null: nothing to fire),
 * indexed for {@code next_fire_at}. {@link Timers#start} gives it an engine.
 *
 * @param name the engine's name, in thread names, logs and metrics ({@code timers=<name>})
 * @param warmUp a key that matches no row: the firing path is run once on it at start, so that its
 *     statements are prepared before the first real timer is due
 * @param <K> a timer's identity
 */
public record TimerTable<K>(String name, String table, List<KeyColumn> key, Function<Row, K> read,
        Function<K, Object[]> values, K warmUp) {

    /** A column of a timer's key: its name and PostgreSQL type ({@code text}, {@code int}, {@code uuid}), and the Java type its array binds as. */
    public record KeyColumn(String name, String type, Class<?> java) {
        public static KeyColumn text(String name) {
            return new KeyColumn(name, "text", String.class);
        }

        public static KeyColumn integer(String name) {
            return new KeyColumn(name, "int", Integer.class);
        }

        public static KeyColumn uuid(String name) {
            return new KeyColumn(name, "uuid", java.util.UUID.class);
        }
    }
}
