-- Contacts as intake knows them: the current state; their history is the event stream.
CREATE TABLE contact (
    id               VARCHAR(40)  PRIMARY KEY,
    external_id      VARCHAR(200) UNIQUE,
    idempotency_key  VARCHAR(200) UNIQUE,
    customer_id      VARCHAR(200) NOT NULL,
    customer_name    VARCHAR(200),
    customer_email   VARCHAR(320),
    customer_phone   VARCHAR(40),
    tier             VARCHAR(60)  NOT NULL,
    channel          VARCHAR(20)  NOT NULL,
    subject          VARCHAR(500),
    body             TEXT,
    category         VARCHAR(60)  NOT NULL,
    priority         VARCHAR(20)  NOT NULL,
    team             VARCHAR(60),
    assignee         VARCHAR(200),
    status           VARCHAR(20)  NOT NULL,
    repeat_of        VARCHAR(40),
    classified_by    VARCHAR(100),
    policy_version   INTEGER      NOT NULL,
    occurred_at      TIMESTAMPTZ  NOT NULL,
    received_at      TIMESTAMPTZ  NOT NULL,
    updated_at       TIMESTAMPTZ  NOT NULL
);
-- Repeat-contact lookup: the latest contact of a customer on a category.
CREATE INDEX contact_customer_category ON contact (customer_id, category, received_at DESC);

-- Every policy version ever accepted; the highest is in force.
CREATE TABLE policy_version (
    version       INTEGER      PRIMARY KEY,
    source        TEXT         NOT NULL,
    document      TEXT         NOT NULL,
    sha256        VARCHAR(64)  NOT NULL,
    published_by  VARCHAR(200) NOT NULL,
    published_at  TIMESTAMPTZ  NOT NULL
);
