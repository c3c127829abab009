-- The recorded history the what-if replays (docs/outcomes.md, "What-if"): every contact event as it was on
-- contact-events, per contact, in record order. Kept as long as the contact's facts (the longest period a
-- figure reads), so a replay never depends on the topic's retention.
CREATE TABLE fb_history (
    contact_id  varchar(200) NOT NULL,
    seq         bigint       NOT NULL,   -- the record's offset: one contact's records share a partition
    arrived_at  timestamptz  NOT NULL,   -- its ce_time: when intake accepted it
    event_id    varchar(200) NOT NULL,   -- its ce_id
    ce_type     varchar(60)  NOT NULL,
    event       text         NOT NULL,   -- its JSON payload, as it was published
    PRIMARY KEY (contact_id, seq)
);
-- pruned by arrival (pledge.feedback.history-retention)
CREATE INDEX fb_history_arrived ON fb_history (arrived_at);
