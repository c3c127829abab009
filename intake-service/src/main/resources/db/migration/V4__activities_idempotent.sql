-- One truth for every promise (docs/outcomes.md).
-- An activity's Idempotency-Key, scoped to the caller as a contact's is: a retry with the same key and body
-- answers as the first did and publishes nothing; the same key with another body (or contact) is 422.
CREATE TABLE activity_key (
    caller           VARCHAR(200) NOT NULL,
    idempotency_key  VARCHAR(200) NOT NULL,
    contact_id       VARCHAR(40)  NOT NULL,
    request_sha256   VARCHAR(64)  NOT NULL,
    created_at       TIMESTAMPTZ  NOT NULL,
    PRIMARY KEY (caller, idempotency_key)
);
CREATE INDEX activity_key_created_at ON activity_key (created_at);

-- When the contact's status last changed (event time): a status change dated before it is refused.
ALTER TABLE contact ADD COLUMN status_at TIMESTAMPTZ;
