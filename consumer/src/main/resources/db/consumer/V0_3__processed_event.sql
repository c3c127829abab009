-- ce_ids of events a consumer applied (dev.pledge.consumer.EventConsumer), written in the transaction
-- of their state change: a redelivered event changes nothing. Pruned after
-- pledge.consumer.dedup-retention, which must be longer than the topics' retention.
-- Services add classpath:db/consumer to quarkus.flyway.locations.
CREATE TABLE processed_event (
    event_id      VARCHAR(200) PRIMARY KEY,
    processed_at  TIMESTAMPTZ  NOT NULL
);
CREATE INDEX processed_event_processed_at ON processed_event (processed_at);
