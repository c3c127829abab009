-- SLA events read before the contact.received they follow: contact-events and sla-events are two
-- topics, and a consumer catching up may read one ahead of the other. Such an event waits here and is
-- applied right after its contact arrives; one whose contact never comes is pruned by retention.
CREATE TABLE esc_early_event (
    event_id     VARCHAR(100) PRIMARY KEY,
    contact_id   VARCHAR(40)  NOT NULL,
    ce_type      VARCHAR(100) NOT NULL,
    payload      TEXT         NOT NULL,
    stored_at    TIMESTAMPTZ  NOT NULL
);
CREATE INDEX esc_early_event_contact ON esc_early_event (contact_id);
CREATE INDEX esc_early_event_stored_at ON esc_early_event (stored_at);
