-- What sla-service knows of each contact: the fields SLA rules match on, and its status.
CREATE TABLE sla_contact (
    contact_id       VARCHAR(40)  PRIMARY KEY,
    kafka_partition  INTEGER      NOT NULL,
    channel          VARCHAR(20)  NOT NULL,
    priority         VARCHAR(20)  NOT NULL,
    tier             VARCHAR(60)  NOT NULL,
    category         VARCHAR(60)  NOT NULL,
    team             VARCHAR(60),
    status           VARCHAR(20)  NOT NULL,
    updated_at       TIMESTAMPTZ  NOT NULL
);

-- One timer per contact, metric and cycle (next response and a reopened resolution start new cycles).
-- Business time used = used_ms + calendar time since segment_start while running.
CREATE TABLE sla_timer (
    contact_id       VARCHAR(40)  NOT NULL,
    metric           VARCHAR(20)  NOT NULL,
    cycle            INTEGER      NOT NULL,
    kafka_partition  INTEGER      NOT NULL,
    state            VARCHAR(12)  NOT NULL,   -- running, paused, met, cancelled
    rule             VARCHAR(100) NOT NULL,
    calendar         VARCHAR(100) NOT NULL,
    policy_version   INTEGER      NOT NULL,
    target_ms        BIGINT       NOT NULL,
    used_ms          BIGINT       NOT NULL,
    segment_start    TIMESTAMPTZ,
    deadline         TIMESTAMPTZ,
    warned_percent   INTEGER      NOT NULL,   -- highest warning threshold already emitted
    breached         BOOLEAN      NOT NULL,
    next_fire_at     TIMESTAMPTZ,             -- next warning or breach; null when nothing is left to fire
    started_at       TIMESTAMPTZ  NOT NULL,
    ended_at         TIMESTAMPTZ,
    elapsed_ms       BIGINT,                  -- business time when met
    in_target        BOOLEAN,                 -- the outcome: met in target, or breached
    outcome_at       TIMESTAMPTZ,
    PRIMARY KEY (contact_id, metric, cycle)
);
CREATE INDEX sla_timer_due ON sla_timer (kafka_partition, next_fire_at) WHERE next_fire_at IS NOT NULL;
CREATE INDEX sla_timer_running_deadline ON sla_timer (deadline) WHERE state = 'running' AND NOT breached;
CREATE INDEX sla_timer_outcome ON sla_timer (outcome_at) WHERE outcome_at IS NOT NULL;

-- ce_ids of consumed events, written in the transaction of their state change: redelivery changes nothing.
CREATE TABLE consumed_event (
    event_id     VARCHAR(100) PRIMARY KEY,
    consumed_at  TIMESTAMPTZ  NOT NULL
);

-- Every policy version seen on service-policy: running timers keep the version they started under.
CREATE TABLE policy_version (
    version      INTEGER      PRIMARY KEY,
    document     TEXT         NOT NULL,
    received_at  TIMESTAMPTZ  NOT NULL
);
