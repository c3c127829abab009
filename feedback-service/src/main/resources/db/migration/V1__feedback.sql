-- Facts for KPIs, insights and the what-if replay, written from contact, SLA and escalation events,
-- and the surveys this service sends. Times are event times, never the time a record was read.

CREATE TABLE fb_contact (
    contact_id        varchar(200) PRIMARY KEY,
    customer_id       varchar(200),
    channel           varchar(20)  NOT NULL,
    priority          varchar(20)  NOT NULL,
    tier              varchar(60),
    category          varchar(60),
    team              varchar(60),
    repeat_of         varchar(200),
    status            varchar(20)  NOT NULL,
    received_at       timestamptz  NOT NULL,
    first_response_at timestamptz,
    resolved_at       timestamptz,
    closed_at         timestamptz,
    reopened          int          NOT NULL DEFAULT 0,
    kafka_partition   int          NOT NULL,
    policy_version    int          NOT NULL
);
CREATE INDEX fb_contact_received ON fb_contact (received_at);
CREATE INDEX fb_contact_repeat_of ON fb_contact (repeat_of) WHERE repeat_of IS NOT NULL;

-- A contact's escalations: when first escalated and the highest ladder level reached (rank: place on
-- the ladder, 0 for a specialist team alone); the latest escalation, whether it is open, and where it
-- stands now (its level, or its team when it has none). Apart from fb_contact: escalation events may be
-- read before the contact's own events.
CREATE TABLE fb_escalation (
    contact_id     varchar(200) PRIMARY KEY,
    first_at       timestamptz  NOT NULL,
    level          varchar(100),
    rank           int          NOT NULL,
    escalation_id  varchar(200) NOT NULL,
    open           boolean      NOT NULL,
    now_at         varchar(100)
);
CREATE INDEX fb_escalation_open ON fb_escalation (now_at) WHERE open;

-- One row per timed target (a next-response target starts again after each agent reply).
CREATE TABLE fb_sla (
    contact_id   varchar(200) NOT NULL,
    metric       varchar(30)  NOT NULL,
    started_at   timestamptz  NOT NULL,
    rule         varchar(100) NOT NULL,
    calendar     varchar(100) NOT NULL,
    target_ms    bigint       NOT NULL,
    deadline     timestamptz,
    warned       boolean      NOT NULL DEFAULT false,
    breached_at  timestamptz,
    ended_at     timestamptz,
    elapsed_ms   bigint,
    in_target    boolean,
    cancelled    boolean      NOT NULL DEFAULT false,
    PRIMARY KEY (contact_id, metric, started_at)
);
CREATE INDEX fb_sla_started ON fb_sla (started_at);

-- Pauses of a timed target (pending on the customer, on hold), for the what-if replay.
CREATE TABLE fb_pause (
    contact_id  varchar(200) NOT NULL,
    metric      varchar(30)  NOT NULL,
    paused_at   timestamptz  NOT NULL,
    resumed_at  timestamptz,
    PRIMARY KEY (contact_id, metric, paused_at)
);

CREATE TABLE fb_crisis (
    crisis_id   varchar(200) PRIMARY KEY,
    category    varchar(60)  NOT NULL,
    count       int          NOT NULL,
    baseline    double precision NOT NULL,
    declared_at timestamptz  NOT NULL,
    cleared_at  timestamptz
);

-- At most one survey per contact. state: scheduled (timer due at next_fire_at), requested (sent,
-- answerable until expires_at), answered, suppressed (the customer was asked within the fatigue
-- window), cancelled (the contact was reopened before it was sent).
CREATE TABLE fb_survey (
    survey_id       uuid         PRIMARY KEY,
    contact_id      varchar(200) NOT NULL UNIQUE,
    customer_id     varchar(200),
    kind            varchar(10)  NOT NULL,
    channel         varchar(20)  NOT NULL,
    state           varchar(12)  NOT NULL,
    send_at         timestamptz  NOT NULL,
    expires_after_s bigint       NOT NULL,
    next_fire_at    timestamptz,
    requested_at    timestamptz,
    expires_at      timestamptz,
    answered_at     timestamptz,
    score           int,
    comment         text,
    theme           varchar(60),
    sentiment       double precision,
    kafka_partition int          NOT NULL,
    policy_version  int          NOT NULL
);
CREATE INDEX fb_survey_due ON fb_survey (next_fire_at) WHERE next_fire_at IS NOT NULL;
CREATE INDEX fb_survey_customer ON fb_survey (customer_id, requested_at) WHERE requested_at IS NOT NULL;
CREATE INDEX fb_survey_answered ON fb_survey (answered_at) WHERE answered_at IS NOT NULL;
