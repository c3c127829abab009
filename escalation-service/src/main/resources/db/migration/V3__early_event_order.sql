-- Early SLA events are applied in the order they were read: a sequence says it exactly (several are
-- stored by one statement, in the same microsecond).
ALTER TABLE esc_early_event ADD COLUMN seq BIGSERIAL;
