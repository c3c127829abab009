package dev.pledge.feedback.service;

import dev.pledge.events.Channel;
import dev.pledge.events.ContactEvent;
import dev.pledge.events.ContactStatus;
import dev.pledge.events.FeedbackEvent;
import dev.pledge.events.Ids;
import dev.pledge.events.SurveyKind;
import dev.pledge.outbox.Outbox;
import dev.pledge.outbox.UnitOfWork;
import dev.pledge.outcomes.SurveyChoice;
import dev.pledge.persistence.Sql;
import dev.pledge.policy.Policy;
import dev.pledge.policy.Sentiment;
import dev.pledge.policy.feed.PolicyFeed;
import dev.pledge.timers.TimerEngine;
import dev.pledge.timers.TimerTable;
import dev.pledge.timers.TimerTable.KeyColumn;
import dev.pledge.timers.Timers;
import dev.pledge.web.Problem;
import dev.pledge.web.ProblemException;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response.Status;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Surveys: at most one per contact, scheduled when the contact reaches a status a policy survey
 * follows, sent by a durable timer after the survey's delay unless the customer was asked within the
 * fatigue window, answered once with the signed token it was sent with.
 */
@ApplicationScoped
@Startup // its timer engine runs from the start, whether or not an event has come
public class Surveys {
    private static final Logger LOG = Logger.getLogger(Surveys.class);
    public static final String SCHEDULED = "scheduled";
    public static final String REQUESTED = "requested";
    public static final String ANSWERED = "answered";
    public static final String SUPPRESSED = "suppressed";
    public static final String CANCELLED = "cancelled";
    /** The longest comment kept: 4 KiB of UTF-8. */
    public static final int MAX_COMMENT_BYTES = 4096;

    /** Survey delays as the timer engine reads them: one timer per survey, due at {@code fb_survey.next_fire_at} while scheduled. */
    static final TimerTable<String> TABLE = new TimerTable<>("surveys", "fb_survey", List.of(KeyColumn.uuid("survey_id")),
            row -> row.getUUID(0).toString(), key -> new Object[] {UUID.fromString(key)},
            "00000000-0000-0000-0000-000000000000");

    private final Outbox outbox;
    private final SurveyTokens tokens;
    private final PolicyFeed policies;
    private final TimerEngine<String> clock;
    private final UnitOfWork unitOfWork;

    public Surveys(Outbox outbox, SurveyTokens tokens, PolicyFeed policies, Timers timers, UnitOfWork unitOfWork) {
        this.outbox = outbox;
        this.tokens = tokens;
        this.policies = policies;
        this.unitOfWork = unitOfWork;
        this.clock = timers.start(TABLE, this::fireDue);
    }

    /** After a commit: surveys whose send time moved (null: nothing left to send), to the engine. */
    public void schedule(Collection<TimerEngine.Due<String>> moved) {
        clock.schedule(moved);
    }

    /**
     * A status change: a done status may schedule the contact's survey (the first policy survey for
     * it that matches and is drawn); any other cancels one not sent yet, and reopening also withdraws one sent
     * and not answered (docs/outcomes.md: the customer said it is not resolved; its answer gets 410). Returns
     * the timer that moved.
     */
    Uni<Optional<TimerEngine.Due<String>>> onStatus(ContactEvent.StatusChanged s, Policy policy) {
        if (!s.to().isDone()) {
            Uni<Integer> withdrawn = s.to() != ContactStatus.REOPENED ? Uni.createFrom().item(0) : Sql.update("""
                    UPDATE fb_survey SET state = 'withdrawn', expires_at = least(expires_at, $2)
                    WHERE contact_id = $1 AND state = 'requested'""", s.contactId(), s.occurredAt());
            return withdrawn.chain(() -> Sql.rows("""
                    UPDATE fb_survey SET state = 'cancelled', next_fire_at = NULL
                    WHERE contact_id = $1 AND state = 'scheduled' RETURNING CAST(survey_id AS text), kafka_partition""",
                    s.contactId()))
                    .map(rows -> rows.stream().findFirst().map(r -> new TimerEngine.Due<>((String) r[0],
                            ((Number) r[1]).intValue(), null)));
        }
        if (policy == null || policy.feedback() == null) {
            return Uni.createFrom().item(Optional.empty());
        }
        return Sql.rows("SELECT channel, customer_id, kafka_partition FROM fb_contact WHERE contact_id = $1", s.contactId())
                .chain(rows -> {
                    if (rows.isEmpty()) {
                        LOG.warnf("%s %s before its contact.received: no survey", s.contactId(), s.to().wire());
                        return Uni.createFrom().item(Optional.<TimerEngine.Due<String>>empty());
                    }
                    Channel channel = Channel.of((String) rows.get(0)[0]);
                    String customer = (String) rows.get(0)[1];
                    int partition = ((Number) rows.get(0)[2]).intValue();
                    Optional<Policy.Survey> survey = SurveyChoice.choose(policy.feedback().surveys(), s.contactId(), s.to(), channel);
                    if (survey.isEmpty()) {
                        return Uni.createFrom().item(Optional.<TimerEngine.Due<String>>empty());
                    }
                    Policy.Survey chosen = survey.get();
                    UUID id = tokens.surveyId(s.contactId());
                    Instant sendAt = s.occurredAt().plus(chosen.delay());
                    // a cancelled survey (the contact was reopened) is scheduled again; any other stays as it is
                    return Sql.rows("""
                            INSERT INTO fb_survey (survey_id, contact_id, customer_id, kind, channel, state, send_at,
                                expires_after_s, next_fire_at, kafka_partition, policy_version)
                            VALUES ($1, $2, $3, $4, $5, 'scheduled', $6, $7, $6, $8, $9)
                            ON CONFLICT (contact_id) DO UPDATE SET state = 'scheduled', kind = excluded.kind,
                                send_at = excluded.send_at, next_fire_at = excluded.next_fire_at,
                                expires_after_s = excluded.expires_after_s, policy_version = excluded.policy_version
                            WHERE fb_survey.state = 'cancelled'
                            RETURNING CAST(survey_id AS text)""",
                            id, s.contactId(), customer, chosen.kind().wire(), channel.wire(), sendAt,
                            chosen.expiresAfter().toSeconds(), partition, policies.newest())
                            .map(inserted -> inserted.isEmpty() ? Optional.<TimerEngine.Due<String>>empty()
                                    : Optional.of(new TimerEngine.Due<>((String) inserted.get(0)[0], partition, sendAt)));
                });
    }

    /**
     * Fires the due surveys among these, in the caller's transaction: sends each (a {@code survey.requested}
     * with its token) unless the customer was asked within the fatigue window, then it is suppressed.
     * Rows another transaction holds are skipped; the engine tries them again.
     */
    public Uni<Void> fireDue(Collection<String> surveyIds) {
        return Sql.rows("""
                SELECT CAST(survey_id AS text), contact_id, customer_id, kind, channel, expires_after_s, send_at
                FROM fb_survey WHERE survey_id = ANY($1) AND state = 'scheduled'
                    AND next_fire_at <= clock_timestamp()
                ORDER BY next_fire_at FOR UPDATE SKIP LOCKED""", (Object) surveyIds.stream().map(UUID::fromString).toArray(UUID[]::new))
                .chain(rows -> {
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (Object[] r : rows) {
                        chain = chain.chain(() -> send(r));
                    }
                    return chain;
                });
    }

    private Uni<Void> send(Object[] r) {
        UUID surveyId = UUID.fromString((String) r[0]);
        String contactId = (String) r[1];
        String customer = (String) r[2];
        SurveyKind kind = SurveyKind.of((String) r[3]);
        Channel channel = Channel.of((String) r[4]);
        long expiresAfter = ((Number) r[5]).longValue();
        Policy policy = policies.newestPolicy();
        Duration fatigue = policy == null || policy.feedback() == null ? Duration.ZERO : policy.feedback().fatigueWindow();
        // one customer's surveys are decided one at a time, whichever instance owns their contacts
        Uni<Boolean> asked = customer == null || fatigue.isZero() ? Uni.createFrom().item(false)
                : Sql.rows("SELECT pg_advisory_xact_lock(hashtext($1))::text", customer)
                        .chain(() -> Sql.rows("""
                                SELECT 1 FROM fb_survey WHERE customer_id = $1 AND survey_id <> $2
                                    AND requested_at > clock_timestamp() - make_interval(secs => $3) LIMIT 1""",
                                customer, surveyId, (double) fatigue.toSeconds()))
                        .map(found -> !found.isEmpty());
        return asked.chain(fatigued -> {
            if (fatigued) {
                LOG.debugf("survey %s of %s suppressed: customer %s was asked within %s", surveyId, contactId, customer,
                        fatigue);
                return Sql.update("UPDATE fb_survey SET state = 'suppressed', next_fire_at = NULL WHERE survey_id = $1",
                        surveyId).replaceWithVoid();
            }
            return Sql.rows("SELECT clock_timestamp(), 1").chain(now -> {
                Instant at = Sql.instant(now.get(0)[0]);
                Instant expires = at.plusSeconds(expiresAfter);
                int version = policies.newest();
                String token = tokens.sign(surveyId, kind, expires);
                return Sql.update("""
                        UPDATE fb_survey SET state = 'requested', next_fire_at = NULL, requested_at = $2, expires_at = $3
                        WHERE survey_id = $1""", surveyId, at, expires)
                        .chain(() -> outbox.append(new FeedbackEvent.SurveyRequested(surveyId.toString(), contactId,
                                customer, kind, channel, at, expires, version, token,
                                question(policies.version(version), kind), kind.min(), kind.max(), true), at,
                                Outbox.idOf("survey.requested", surveyId)))
                        .replaceWithVoid();
            });
        });
    }

    /**
     * A customer's answer with the token its survey was sent with, in a transaction of its own. Refused,
     * before anything is written: 401 for a token not signed here or altered, 410 once it expired,
     * {@code kind} (optional) not one of ours 400; then as {@link #answer(SurveyTokens.Claims, SurveyKind, int,
     * String)} checks it. Returns the {@code feedback.received} it emitted.
     */
    public Uni<FeedbackEvent.Received> answer(String token, String kind, int score, String comment) {
        SurveyTokens.Claims claims;
        try {
            claims = tokens.verify(token);
        } catch (SurveyTokens.Forged e) {
            throw new ProblemException(Problem.of(Status.UNAUTHORIZED, "invalid-survey-token", "token: " + e.getMessage()));
        }
        if (!claims.expiresAt().isAfter(Instant.now())) {
            throw new ProblemException(Problem.of(Status.GONE, "survey-expired", "this survey expired at " + claims.expiresAt()));
        }
        SurveyKind answered;
        try {
            answered = kind == null ? null : SurveyKind.of(kind);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badField("kind", "must be one of csat, nps, ces");
        }
        return unitOfWork.run(() -> answer(claims, answered, score, comment));
    }

    /**
     * An answer, checked against the stored survey (its kind sets the score's range, not the token) and
     * written in the caller's transaction; returns the feedback.received it emitted.
     */
    Uni<FeedbackEvent.Received> answer(SurveyTokens.Claims claims, SurveyKind kind, int score, String comment) {
        if (comment != null && comment.getBytes(StandardCharsets.UTF_8).length > MAX_COMMENT_BYTES) {
            throw ProblemException.badField("comment", "must be at most " + MAX_COMMENT_BYTES + " bytes of UTF-8");
        }
        String text = comment == null || comment.isBlank() ? null : comment.strip();
        Double sentiment = text == null ? null : Sentiment.score(text);
        return Sql.rows("""
                SELECT s.kind, s.state, s.expires_at, s.expires_at > clock_timestamp(), s.contact_id, s.channel,
                    (SELECT tier FROM fb_contact c WHERE c.contact_id = s.contact_id)
                FROM fb_survey s WHERE s.survey_id = $1 FOR UPDATE""", claims.surveyId())
                .chain(rows -> {
                    Object[] row = answerable(rows, kind, score);
                    SurveyKind stored = SurveyKind.of((String) row[0]);
                    String contactId = (String) row[4];
                    String theme = theme(text, Channel.of((String) row[5]), (String) row[6]);
                    return Sql.rows("""
                            UPDATE fb_survey SET state = 'answered', answered_at = clock_timestamp(), score = $2,
                                comment = $3, sentiment = $4, theme = $5
                            WHERE survey_id = $1 RETURNING answered_at""",
                            claims.surveyId(), score, text, sentiment, theme)
                            .chain(updated -> {
                                Instant at = Sql.instant(updated.get(0)[0]);
                                FeedbackEvent.Received received = new FeedbackEvent.Received(Ids.next().toString(),
                                        claims.surveyId().toString(), contactId, stored, score, text, at,
                                        policies.newest(), theme, sentiment);
                                return outbox.append(received, at, UUID.fromString(received.feedbackId()))
                                        .replaceWith(received);
                            });
                });
    }

    /** The stored survey's row if it takes this answer now; else the refusal, each before anything is written. */
    private static Object[] answerable(List<Object[]> found, SurveyKind kind, int score) {
        if (found.isEmpty()) {
            throw new ProblemException(Problem.of(Status.GONE, "survey-gone", "this survey no longer exists"));
        }
        Object[] row = found.get(0);
        SurveyKind stored = SurveyKind.of((String) row[0]);
        String state = (String) row[1];
        if (kind != null && kind != stored) {
            throw ProblemException.badField("kind", "this survey is " + stored.wire() + ", not " + kind.wire());
        }
        if (score < stored.min() || score > stored.max()) {
            throw ProblemException.badField("score", "must be " + stored.min() + " to " + stored.max()
                    + " for a " + stored.wire() + " survey");
        }
        if (ANSWERED.equals(state)) {
            throw new ProblemException(Problem.of(Status.CONFLICT, "already-answered", "this survey was answered already"));
        }
        if ("withdrawn".equals(state)) {
            throw new ProblemException(Problem.of(Status.GONE, "survey-withdrawn",
                    "this survey was withdrawn: the contact was reopened"));
        }
        if (!REQUESTED.equals(state)) {
            throw new ProblemException(Problem.of(Status.GONE, "survey-gone", "this survey was not sent (" + state + ")"));
        }
        if (!Boolean.TRUE.equals(row[3])) {
            throw new ProblemException(Problem.of(Status.GONE, "survey-expired", "this survey expired at "
                    + Sql.instant(row[2])));
        }
        return row;
    }

    /**
     * The category a comment reads as: the policy's classification rules, the same keywords that classify
     * contacts, over the comment as a contact's body from the survey's channel. Null when no rule matches.
     */
    private String theme(String text, Channel channel, String tier) {
        Policy policy = policies.newestPolicy();
        if (text == null || policy == null) {
            return null;
        }
        Policy.Classified c = policy.classify(channel, tier != null ? tier : policy.tiers().get(0), null, text, null, null);
        return c.rule() == null ? null : c.category();
    }

    /** The question a survey of this kind asks under this policy: the first such survey's own, else the standard one. */
    static String question(Policy policy, SurveyKind kind) {
        if (policy.feedback() != null) {
            for (Policy.Survey s : policy.feedback().surveys()) {
                if (s.kind() == kind && s.question() != null) {
                    return s.question();
                }
            }
        }
        return kind.question();
    }
}
