-- sla-service moves onto the shared modules: consumed ids go to processed_event (db/consumer), policy
-- versions to policy_feed (db/policy-feed). Rows are carried over, so an upgraded instance neither
-- applies an event twice nor forgets a version its running timers started under.
INSERT INTO processed_event (event_id, processed_at) SELECT event_id, consumed_at FROM consumed_event
    ON CONFLICT DO NOTHING;
DROP TABLE consumed_event;
INSERT INTO policy_feed (version, event, received_at)
    SELECT version, json_build_object('version', version, 'publishedBy', 'unknown (stored before the policy feed)',
        'at', received_at, 'sha256', '', 'document', document::json)::text, received_at
    FROM policy_version ON CONFLICT DO NOTHING;
DROP TABLE policy_version;

-- The policy version a contact's rules were chosen under (contact.received, then contact.updated).
ALTER TABLE sla_contact ADD COLUMN policy_version INTEGER NOT NULL DEFAULT 1;

-- Ended timers are pruned after pledge.sla.ended-timer-retention.
CREATE INDEX sla_timer_ended_at ON sla_timer (ended_at) WHERE ended_at IS NOT NULL;
