-- Transactional outbox (dev.pledge.outbox): written in the same transaction as the state it
-- announces, published in seq order by OutboxRelay, deleted once the broker has acknowledged it.
-- Services add classpath:db/outbox to quarkus.flyway.locations.
CREATE TABLE outbox (
    seq         BIGSERIAL    PRIMARY KEY,
    event_id    UUID         NOT NULL UNIQUE,
    topic       VARCHAR(200) NOT NULL,
    event_key   VARCHAR(200) NOT NULL,
    ce_type     VARCHAR(100) NOT NULL,
    ce_time     TIMESTAMPTZ  NOT NULL,
    payload     TEXT         NOT NULL
);
