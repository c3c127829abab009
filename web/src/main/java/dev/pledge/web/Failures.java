package dev.pledge.web;

import java.lang.reflect.Method;
import java.util.Set;

/**
 * What a failure from PostgreSQL (or the path to it) means, whatever wrapped it. Hibernate Reactive
 * hands a unique violation on as {@code ConstraintViolationException} around a
 * {@code java.sql.SQLException}, the reactive client as {@code PgException}: each carries the SQL
 * state under a method of its own name, so the chain is searched for either.
 */
public final class Failures {
    /** SQL state classes and codes that pass: connection lost, serialization, deadlock, resources, shutdown. */
    private static final Set<String> TRANSIENT_CLASSES = Set.of("08", "53", "57");
    private static final Set<String> TRANSIENT_STATES = Set.of("40001", "40P01", "55P03");
    private static final Set<String> TRANSIENT_CLASS_NAMES = Set.of("ConnectException", "AnnotatedConnectException",
            "ClosedConnectionException", "ConnectTimeoutException", "ClosedChannelException", "NoRouteToHostException",
            "UnknownHostException", "SocketException");

    /** The SQL state of the first exception in the chain that has one, or null. */
    public static String sqlState(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            for (String name : new String[] {"getSqlState", "getSQLState"}) {
                try {
                    Method m = t.getClass().getMethod(name);
                    Object state = m.invoke(t);
                    if (state instanceof String s && !s.isEmpty()) {
                        return s;
                    }
                } catch (ReflectiveOperationException | RuntimeException e) {
                    // not this kind of exception
                }
            }
        }
        return null;
    }

    /**
     * The database (or broker) could not be reached or asked us to try again: retrying the same
     * work later can succeed. Anything else (bad data, a bug) fails the same way every time.
     */
    public static boolean isTransient(Throwable failure) {
        String state = sqlState(failure);
        if (state != null) {
            return state.length() == 5 && (TRANSIENT_CLASSES.contains(state.substring(0, 2))
                    || TRANSIENT_STATES.contains(state));
        }
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String name = t.getClass().getSimpleName();
            if (TRANSIENT_CLASS_NAMES.contains(name) || isKafkaRetriable(t.getClass())
                    || (t.getMessage() != null && (t.getMessage().contains("Connection refused")
                    || t.getMessage().contains("Connection reset") || t.getMessage().startsWith("Timeout")
                    || t.getMessage().contains("pool is closed") || t.getMessage().contains("Connection is not active")))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isKafkaRetriable(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            if (c.getName().equals("org.apache.kafka.common.errors.RetriableException")) {
                return true;
            }
        }
        return false;
    }

    /** The innermost message, for logs and dead-letter headers. */
    public static String rootMessage(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    private Failures() {
    }
}
