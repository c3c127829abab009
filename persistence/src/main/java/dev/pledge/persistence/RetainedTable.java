package dev.pledge.persistence;

import java.time.Duration;

/**
 * A table that keeps history for a while: rows whose {@code timeColumn} is older than {@code retention}
 * are pruned by {@link Retention}. A module declares its own with a CDI producer; the names are the
 * module's constants, never input.
 */
public record RetainedTable(String table, String timeColumn, Duration retention) {
}
