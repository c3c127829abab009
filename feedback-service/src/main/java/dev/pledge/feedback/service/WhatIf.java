package dev.pledge.feedback.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pledge.feedback.config.FeedbackConfig;
import dev.pledge.outcomes.Replay;
import dev.pledge.persistence.RetainedTable;
import dev.pledge.persistence.Sql;
import dev.pledge.policy.InvalidPolicyException;
import dev.pledge.policy.Policy;
import dev.pledge.policy.PolicyLoader;
import dev.pledge.policy.feed.PolicyFeed;
import dev.pledge.web.Problem;
import dev.pledge.web.ProblemException;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Cursor;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.PreparedStatement;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.jboss.logging.Logger;

/**
 * The what-if: every contact received in a period replayed from its recorded history ({@code fb_history})
 * under a candidate policy, by the decisions production takes ({@link Replay}), and compared with what
 * was recorded ({@code fb_sla.outcome}, as sla-service decided it). Without a candidate, the versions that
 * were in force are replayed: then every outcome must come out as recorded ({@code changed} 0).
 *
 * <p>A replay is a job: it runs on a small pool of worker threads (never the event loop), at most
 * {@code pledge.feedback.what-if.concurrency} at once here, streams the period through a cursor (memory
 * bounded by one page of contacts), reports its progress, and stops at its time budget. Jobs are kept in
 * memory for an hour, visible only to the caller who started them; nothing is published or changed.
 */
@ApplicationScoped
public class WhatIf {
    private static final Logger LOG = Logger.getLogger(WhatIf.class);
    /** Contacts whose outcome would change, listed per row at most. */
    static final int EXAMPLES = 10;
    /**
     * Contacts read from the cursor at a time: few enough that a page is garbage before the next young
     * collection (with 2,000, pages outlived it, were promoted, and a full collection of ~85 ms came every
     * 0.6 s under the serial collector, stalling the event loop).
     */
    private static final int PAGE = 250;

    /** Every contact received in the period, with its history and its recorded outcomes, in time order. */
    private static final String HISTORIES = """
            SELECT c.contact_id, h.types, h.arrived, h.ids, h.events, s.metrics, s.cycles, s.outcomes
            FROM fb_contact c
            CROSS JOIN LATERAL (SELECT array_agg(ce_type ORDER BY seq) AS types,
                    array_agg(arrived_at ORDER BY seq) AS arrived, array_agg(event_id ORDER BY seq) AS ids,
                    array_agg(event ORDER BY seq) AS events
                FROM fb_history WHERE contact_id = c.contact_id) h
            CROSS JOIN LATERAL (SELECT array_agg(metric) AS metrics, array_agg(cycle) AS cycles,
                    array_agg(coalesce(outcome, 'none')) AS outcomes
                FROM fb_sla WHERE contact_id = c.contact_id) s
            WHERE c.received_at >= $1 AND c.received_at < $2 AND h.types IS NOT NULL
            ORDER BY c.received_at, c.contact_id""";

    /** A job's state. */
    public enum State {
        RUNNING, DONE, FAILED, TIMED_OUT;

        public String wire() {
            return name().toLowerCase().replace('_', '-');
        }
    }

    /**
     * One line of the report: the targets of one metric under one rule (the candidate's; the recorded one where
     * the candidate sets no such target) on one channel. {@code now}: as recorded; {@code candidate}: as
     * replayed. Percentages are met ÷ (met + breached). {@code wouldBeMet}: met under the candidate, not now;
     * {@code wouldBeMissed}: breached under the candidate, not now.
     */
    public record Line(String metric, String rule, String channel, long targetsNow, long metNow, long breachedNow,
            long targetsCandidate, long metCandidate, long breachedCandidate, Double percentNow,
            Double percentCandidate, long wouldBeMet, long wouldBeMissed, List<String> examples) {
    }

    /** Escalations the candidate's rules raise: by the rule that took each where it ended, and that level. */
    public record Escalations(String rule, String level, long contacts) {
    }

    /** Surveys the candidate sends, by kind. */
    public record Surveys(String kind, long sent) {
    }

    /**
     * The replay's result. The totals ({@code targetsNow} to {@code percentCandidate}) count response and
     * resolution targets only, as SLA compliance does everywhere; promises are in their own lines.
     * {@code until}: nothing was replayed past it (the job's start). {@code changed}:
     * targets whose outcome differs from the recorded one (0 when the versions in force are replayed).
     * {@code skipped}: contacts whose history could not be replayed (a version no longer known, a history
     * pruned at its start), with the first reason.
     */
    public record Report(Instant from, Instant to, String policy, Instant until, long contacts, long skipped,
            String skippedBecause, long targetsNow, long metNow, long breachedNow, long targetsCandidate,
            long metCandidate, long breachedCandidate, Double percentNow, Double percentCandidate, long changed,
            long warnings, List<Line> rows, List<Escalations> escalations, List<Surveys> surveys) {
    }

    /** What {@code GET /insights/what-if/{id}} shows: progress, then the report. */
    public record JobView(String id, String state, String policy, Instant from, Instant to, Instant startedAt,
            Instant finishedAt, long total, long replayed, String error, Report report) {
    }

    /** Refused: as many replays as allowed already run here. */
    public static final class Busy extends RuntimeException {
        public Busy(int running) {
            super(running + " what-if replay(s) already running here; try again when one has finished");
        }
    }

    /** A job as its worker thread runs it (the only thread that touches it after it starts). */
    private static final class Job {
        final UUID id = UUID.randomUUID();
        final String owner;
        final Policy candidate;
        final Instant from;
        final Instant to;
        final Instant startedAt = Instant.now();
        State state = State.RUNNING;
        long total = -1;
        long replayed;
        Instant finishedAt;
        String error;
        Report report;

        Job(String owner, Policy candidate, Instant from, Instant to) {
            this.owner = owner;
            this.candidate = candidate;
            this.from = from;
            this.to = to;
        }

        String policy() {
            return candidate == null ? "in-force" : "candidate: " + candidate.name();
        }

        JobView view() {
            return new JobView(id.toString(), state.wire(), policy(), from, to, startedAt, finishedAt, Math.max(total, 0), replayed,
                    error, report);
        }
    }

    /** A job left running with no progress written for this long lost the instance that ran it. */
    static final Duration ORPHANED = Duration.ofMinutes(1);

    private final Pool pool;
    private final PolicyFeed policies;
    private final ObjectMapper json;
    private final FeedbackConfig.WhatIf config;
    private final ExecutorService workers;
    private final Semaphore slots;

    public WhatIf(Pool pool, PolicyFeed policies, ObjectMapper json, FeedbackConfig config) {
        this.pool = pool;
        this.policies = policies;
        this.json = json;
        this.config = config.whatIf();
        if (this.config.concurrency() < 1 || this.config.budget().isNegative() || this.config.budget().isZero()) {
            throw new IllegalArgumentException("pledge.feedback.what-if.concurrency must be at least 1 and"
                    + " pledge.feedback.what-if.budget positive; they are " + this.config.concurrency() + " and "
                    + this.config.budget());
        }
        this.slots = new Semaphore(this.config.concurrency());
        this.workers = Executors.newFixedThreadPool(this.config.concurrency(), r -> {
            Thread t = new Thread(r, "what-if");
            t.setDaemon(true);
            return t;
        });
    }

    @PreDestroy
    void stop() {
        workers.shutdownNow();
    }

    /** Jobs are history too: pruned 7 days after they started. */
    @Produces
    static RetainedTable jobs() {
        return new RetainedTable("fb_what_if", "started_at", Duration.ofDays(7));
    }

    /**
     * Starts a replay of {@code [from, to)} under {@code candidate} (null: the versions in force), once its row
     * is written; {@link Busy} at once when as many as allowed run here.
     */
    /**
     * Starts a replay under a candidate given as text (YAML or JSON; blank: the versions in force),
     * validated as {@code PUT /policy} validates: 422 with every problem's path, nothing replayed.
     */
    public Uni<JobView> start(String candidate, Instant from, Instant to, String owner) {
        Policy policy;
        try {
            policy = candidate == null || candidate.isBlank() ? null : PolicyLoader.read(PolicyLoader.parse(candidate));
        } catch (InvalidPolicyException e) {
            throw new ProblemException(Problem.invalid(Problem.UNPROCESSABLE, e.errors().size()
                    + " problem(s) in the candidate policy; nothing was replayed", e.errors().stream()
                    .map(err -> new Problem.FieldError(err.path(), err.message())).toList()));
        }
        return start(policy, from, to, owner);
    }

    /** Starts a replay; {@link Busy} when as many as allowed run here. */
    private Uni<JobView> start(Policy candidate, Instant from, Instant to, String owner) {
        if (!slots.tryAcquire()) {
            throw new Busy(config.concurrency());
        }
        Job job = new Job(owner, candidate, from, to);
        return pool.preparedQuery("""
                        INSERT INTO fb_what_if (job_id, owner, state, policy, period_from, period_to, started_at, updated_at)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $7)""")
                .execute(Tuple.from(List.of(job.id, owner, job.state.wire(), clip(job.policy()),
                        Sql.utc(from), Sql.utc(to), Sql.utc(job.startedAt))))
                .onFailure().invoke(failure -> slots.release())
                .map(written -> {
                    LOG.infof("what-if %s started by %s: %s, %s to %s", job.id, owner, job.policy(), from, to);
                    JobView started = job.view(); // before the worker thread owns it
                    workers.execute(() -> work(job));
                    return started;
                });
    }

    private void work(Job job) {
        try {
            run(job);
        } catch (Throwable e) {
            job.error = String.valueOf(e.getMessage());
            job.state = State.FAILED;
            LOG.errorf(e, "what-if %s failed after %d of %d contacts", job.id, job.replayed, job.total);
        } finally {
            job.finishedAt = Instant.now();
            try {
                save(job);
            } catch (RuntimeException e) {
                LOG.errorf(e, "what-if %s: its end could not be written; GET will call it orphaned", job.id);
            }
            slots.release();
        }
    }

    /** Writes the job's progress, and once it has ended, its state and report (on the worker thread). */
    private void save(Job job) {
        String report;
        try {
            report = job.report == null ? null : json.writeValueAsString(job.report);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        pool.preparedQuery("""
                        UPDATE fb_what_if SET state = $2, total = $3, replayed = $4, error = $5, report = $6,
                            finished_at = $7, updated_at = now()
                        WHERE job_id = $1""")
                .execute(Tuple.from(Arrays.asList(job.id, job.state.wire(),
                        job.total < 0 ? null : job.total, job.replayed, job.error, report,
                        job.finishedAt == null ? null : Sql.utc(job.finishedAt))))
                .await().atMost(config.budget());
    }

    /** A job of {@code owner}'s, or empty (none by that id, or another caller's: not there for them). */
    public Uni<Optional<JobView>> job(String id, String owner) {
        UUID jobId;
        try {
            jobId = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().item(Optional.empty());
        }
        return pool.preparedQuery("""
                        SELECT *, updated_at < now() - $3::int * interval '1 second' AS orphaned FROM fb_what_if
                        WHERE job_id = $1 AND owner = $2""")
                .execute(Tuple.of(jobId, owner, (int) ORPHANED.toSeconds()))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return Optional.<JobView>empty();
                    }
                    Row r = rows.iterator().next();
                    String state = r.getString("state");
                    String error = r.getString("error");
                    if (State.RUNNING.wire().equals(state) && Boolean.TRUE.equals(r.getBoolean("orphaned"))) {
                        state = State.FAILED.wire();
                        error = "the instance running it stopped before it finished; start it again";
                    }
                    Report report;
                    try {
                        report = r.getString("report") == null ? null : json.readValue(r.getString("report"), Report.class);
                    } catch (java.io.IOException e) {
                        throw new IllegalStateException(e);
                    }
                    Long total = r.getLong("total");
                    return Optional.of(new JobView(id, state, r.getString("policy"), instant(r, "period_from"),
                            instant(r, "period_to"), instant(r, "started_at"), instant(r, "finished_at"),
                            total == null ? 0 : total, r.getLong("replayed"), error, report));
                });
    }

    private static Instant instant(Row r, String column) {
        OffsetDateTime at = r.getOffsetDateTime(column);
        return at == null ? null : at.toInstant();
    }

    private static String clip(String s) {
        return s.length() > 300 ? s.substring(0, 300) : s;
    }

    /** Runs on a worker thread: blocking waits on the reactive client are fine here, never on the event loop. */
    private void run(Job job) {
        Duration wait = config.budget();
        Instant deadline = job.startedAt.plus(config.budget());
        Instant until = job.startedAt;
        IntFunction<Policy> versions = job.candidate == null ? policies::version : v -> job.candidate;
        WhatIfTally tally = new WhatIfTally();
        SqlConnection conn = pool.getConnection().await().atMost(wait);
        try {
            Transaction tx = conn.begin().await().atMost(wait);
            Tuple period = Tuple.of(Sql.utc(job.from), Sql.utc(job.to));
            job.total = conn.preparedQuery("SELECT count(*) FROM fb_contact WHERE received_at >= $1 AND received_at < $2")
                    .execute(period).await().atMost(wait).iterator().next().getLong(0);
            PreparedStatement ps = conn.prepare(HISTORIES).await().atMost(wait);
            Cursor cursor = ps.cursor(period);
            Instant progressWritten = Instant.now();
            CompletableFuture<RowSet<Row>> next = cursor.read(PAGE).subscribeAsCompletionStage();
            while (true) {
                RowSet<Row> page = next.get(wait.toMillis(), TimeUnit.MILLISECONDS);
                boolean more = cursor.hasMore();
                if (more) {
                    next = cursor.read(PAGE).subscribeAsCompletionStage(); // the next page loads while this one replays
                }
                for (Row r : page) {
                    tally.add(r, versions, until);
                    job.replayed++;
                }
                if (Instant.now().isAfter(progressWritten.plusSeconds(1))) {
                    save(job);
                    progressWritten = Instant.now();
                }
                if (!more) {
                    break;
                }
                if (Instant.now().isAfter(deadline)) {
                    job.state = State.TIMED_OUT;
                    job.error = "the time budget of " + config.budget() + " was spent after " + job.replayed + " of "
                            + job.total + " contacts; ask for a shorter period";
                    break;
                }
            }
            cursor.close().await().atMost(wait);
            tx.rollback().await().atMost(wait); // read only
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("reading the history failed: " + e.getMessage(), e);
        } finally {
            conn.close().await().atMost(wait);
        }
        job.report = tally.report(job.from, job.to, job.policy(), until);
        if (job.state == State.RUNNING) {
            job.state = State.DONE;
        }
        LOG.infof("what-if %s %s: %d contacts replayed in %d ms, %d outcome(s) changed", job.id, job.state.wire(),
                job.replayed, Duration.between(job.startedAt, Instant.now()).toMillis(), job.report.changed());
    }
}
