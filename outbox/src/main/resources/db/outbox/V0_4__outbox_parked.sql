-- Outbox rows the broker refused for good (record too large, not authorized, unknown topic): set
-- aside with the reason so the rows behind them flow. Pruned after pledge.outbox.parked-retention.
CREATE TABLE outbox_parked (
    seq         BIGINT       PRIMARY KEY,
    event_id    UUID         NOT NULL,
    topic       VARCHAR(200) NOT NULL,
    event_key   VARCHAR(200) NOT NULL,
    ce_type     VARCHAR(100) NOT NULL,
    ce_time     TIMESTAMPTZ  NOT NULL,
    payload     TEXT         NOT NULL,
    reason      TEXT         NOT NULL,
    parked_at   TIMESTAMPTZ  NOT NULL
);
CREATE INDEX outbox_parked_parked_at ON outbox_parked (parked_at);
