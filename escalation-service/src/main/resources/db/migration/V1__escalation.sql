-- What escalation-service knows of each contact: the fields rules match on, its status, and when
-- something of it is next due (its open escalation's or its complaint's deadline). The row is also
-- the lock every change to the contact's escalation and complaint takes first.
CREATE TABLE esc_contact (
    contact_id        VARCHAR(40)  PRIMARY KEY,
    kafka_partition   INTEGER      NOT NULL,
    customer_id       VARCHAR(200),
    channel           VARCHAR(20)  NOT NULL,
    priority          VARCHAR(20)  NOT NULL,
    tier              VARCHAR(60)  NOT NULL,
    category          VARCHAR(60)  NOT NULL,
    team              VARCHAR(60),
    status            VARCHAR(20)  NOT NULL,
    customer_replies  INTEGER      NOT NULL,   -- customer replies since the last agent reply
    repeat_of         VARCHAR(40),
    policy_version    INTEGER      NOT NULL,
    received_at       TIMESTAMPTZ  NOT NULL,
    next_fire_at      TIMESTAMPTZ
);
CREATE INDEX esc_contact_due ON esc_contact (kafka_partition, next_fire_at) WHERE next_fire_at IS NOT NULL;

-- An escalation: a ladder level and/or a specialist team. At most one is open per contact.
CREATE TABLE escalation (
    escalation_id    VARCHAR(40)  PRIMARY KEY,
    contact_id       VARCHAR(40)  NOT NULL,
    level            VARCHAR(100),
    team             VARCHAR(100),
    state            VARCHAR(14)  NOT NULL,    -- open, acknowledged, resolved
    rule             VARCHAR(100),
    reason           VARCHAR(500) NOT NULL,
    raised_at        TIMESTAMPTZ  NOT NULL,
    ack_deadline     TIMESTAMPTZ,
    acknowledged_at  TIMESTAMPTZ,
    acknowledged_by  VARCHAR(200),
    climbs           INTEGER      NOT NULL,    -- level changes so far: makes each one's event id unique
    repeats          INTEGER      NOT NULL,    -- top-level notifications repeated
    next_fire_at     TIMESTAMPTZ,              -- acknowledgement deadline, or re-escalation when acknowledged
    policy_version   INTEGER      NOT NULL,
    updated_at       TIMESTAMPTZ  NOT NULL,
    resolved_at      TIMESTAMPTZ
);
CREATE UNIQUE INDEX escalation_one_open ON escalation (contact_id) WHERE state <> 'resolved';
CREATE INDEX escalation_by_contact ON escalation (contact_id, raised_at);
CREATE INDEX escalation_listing ON escalation (state, raised_at);
CREATE INDEX escalation_resolved_at ON escalation (resolved_at) WHERE resolved_at IS NOT NULL;

-- Every decision: which rule, on which event (ce_id), under which policy version.
CREATE TABLE escalation_decision (
    decision_id      UUID         PRIMARY KEY,
    escalation_id    VARCHAR(40)  NOT NULL,
    contact_id       VARCHAR(40)  NOT NULL,
    at               TIMESTAMPTZ  NOT NULL,
    kind             VARCHAR(20)  NOT NULL,    -- raised, level-changed, repeated, acknowledged, resolved
    level            VARCHAR(100),
    team             VARCHAR(100),
    rule             VARCHAR(100),
    event_id         VARCHAR(100),
    policy_version   INTEGER      NOT NULL,
    reason           VARCHAR(500) NOT NULL
);
CREATE INDEX escalation_decision_by_escalation ON escalation_decision (escalation_id, at);

-- An ISO 10002 complaint: its deadlines and the times of its steps.
CREATE TABLE complaint (
    contact_id         VARCHAR(40)  PRIMARY KEY,
    category           VARCHAR(60)  NOT NULL,
    calendar           VARCHAR(100) NOT NULL,
    policy_version     INTEGER      NOT NULL,
    received_at        TIMESTAMPTZ  NOT NULL,
    ack_deadline       TIMESTAMPTZ  NOT NULL,
    final_deadline     TIMESTAMPTZ  NOT NULL,
    acknowledged_at    TIMESTAMPTZ,
    assessed_at        TIMESTAMPTZ,
    responded_at       TIMESTAMPTZ,
    closed_at          TIMESTAMPTZ,
    ack_missed         BOOLEAN      NOT NULL,
    final_missed       BOOLEAN      NOT NULL,
    next_fire_at       TIMESTAMPTZ
);
CREATE INDEX complaint_closed_at ON complaint (closed_at) WHERE closed_at IS NOT NULL;

-- Contacts per category per time bucket (event time), for crisis detection.
CREATE TABLE crisis_count (
    category  VARCHAR(60)  NOT NULL,
    bucket    TIMESTAMPTZ  NOT NULL,
    count     INTEGER      NOT NULL,
    PRIMARY KEY (category, bucket)
);
CREATE INDEX crisis_count_bucket ON crisis_count (bucket);

CREATE TABLE crisis (
    crisis_id       VARCHAR(40)  PRIMARY KEY,
    category        VARCHAR(60)  NOT NULL,
    declared_at     TIMESTAMPTZ  NOT NULL,
    window_start    TIMESTAMPTZ  NOT NULL,
    window_end      TIMESTAMPTZ  NOT NULL,
    count           INTEGER      NOT NULL,
    baseline        DOUBLE PRECISION NOT NULL,
    notified        VARCHAR(1000) NOT NULL,
    below_since     TIMESTAMPTZ,
    cleared_at      TIMESTAMPTZ,
    policy_version  INTEGER      NOT NULL
);
CREATE UNIQUE INDEX crisis_one_open ON crisis (category) WHERE cleared_at IS NULL;
