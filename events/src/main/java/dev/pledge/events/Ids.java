package dev.pledge.events;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import java.util.UUID;

/**
 * Ids for the rows that only ever grow: contacts, events ({@code ce_id}), and with them every
 * consumer's {@code processed_event}. They are version 7 UUIDs (RFC 9562): a millisecond timestamp,
 * then random bits, so an id made later sorts after one made earlier, as a UUID and as text.
 *
 * <p>Why not {@link UUID#randomUUID()}: a random key lands on a random leaf of its B-tree index, so
 * once an index outgrows PostgreSQL's shared buffers every insert reads and dirties a page that
 * is written out again soon after: with 128 MB of shared buffers, the intake bench's backends wrote
 * out up to 18,000 evicted pages a second once it held about 400,000 contacts (bench/README.md,
 * 2026-12-04 after 08:50; decision 018). Time-ordered keys are inserted at the right edge of the
 * index, whose pages stay in memory.
 */
public final class Ids {
    private static final TimeBasedEpochGenerator GENERATOR = Generators.timeBasedEpochGenerator();

    private Ids() {
    }

    /** A fresh, time-ordered UUID (version 7). */
    public static UUID next() {
        return GENERATOR.generate();
    }
}
