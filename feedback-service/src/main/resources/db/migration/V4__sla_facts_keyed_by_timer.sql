-- One truth for every promise (docs/outcomes.md). A timed target is named by its timer, (metric, cycle) as
-- sla-service numbers them (a promise's cycle is its number): keyed by start time, two promises made at
-- the same instant were one row, and every outcome was written onto the latest-started row of the metric.
ALTER TABLE fb_sla ADD COLUMN cycle int;
UPDATE fb_sla s SET cycle = n.cycle
FROM (SELECT contact_id, metric, started_at,
          row_number() OVER (PARTITION BY contact_id, metric ORDER BY started_at)::int AS cycle FROM fb_sla) n
WHERE n.contact_id = s.contact_id AND n.metric = s.metric AND n.started_at = s.started_at;
ALTER TABLE fb_sla ALTER COLUMN cycle SET NOT NULL;
ALTER TABLE fb_sla DROP CONSTRAINT fb_sla_pkey;
ALTER TABLE fb_sla ADD PRIMARY KEY (contact_id, metric, cycle);

-- Pauses belong to a timer too.
ALTER TABLE fb_pause ADD COLUMN cycle int;
UPDATE fb_pause p SET cycle = (SELECT max(s.cycle) FROM fb_sla s
    WHERE s.contact_id = p.contact_id AND s.metric = p.metric AND s.started_at <= p.paused_at);
UPDATE fb_pause SET cycle = 1 WHERE cycle IS NULL;
ALTER TABLE fb_pause ALTER COLUMN cycle SET NOT NULL;
ALTER TABLE fb_pause DROP CONSTRAINT fb_pause_pkey;
ALTER TABLE fb_pause ADD PRIMARY KEY (contact_id, metric, cycle, paused_at);

-- A breach that stood when its timer was cancelled (contact resolved unanswered) stays a breach: every day
-- is rolled up again under that definition.
INSERT INTO fb_dirty_day (day) SELECT DISTINCT (received_at AT TIME ZONE 'UTC')::date FROM fb_contact;

-- The definitions of docs/outcomes.md, written once, here; every query (GET /kpis live and rolled up,
-- insights, the dashboard, the what-if) reads them rather than saying them again.
-- A target's outcome as it stands: 'breached' while a breach stands (a correction clears breached_at), or
-- met late; 'met' in target; null while it runs unbreached or when it was cancelled unbreached.
ALTER TABLE fb_sla ADD COLUMN outcome varchar(8) GENERATED ALWAYS AS (
    CASE WHEN breached_at IS NOT NULL OR in_target = false THEN 'breached'
         WHEN in_target THEN 'met' END) STORED;

-- A contact resolved at least once (resolved, closed, or reopened after either), and resolved at first
-- contact: resolved or closed, never reopened, and no repeat contact of the same customer on the matter.
CREATE VIEW fb_contact_outcome AS
SELECT c.*,
    (c.resolved_at IS NOT NULL OR c.closed_at IS NOT NULL OR c.reopened > 0) AS resolved_once,
    ((c.resolved_at IS NOT NULL OR c.closed_at IS NOT NULL) AND c.reopened = 0
        AND NOT EXISTS (SELECT 1 FROM fb_contact r WHERE r.repeat_of = c.contact_id)) AS first_contact
FROM fb_contact c;

-- An escalation withdrawn (breach corrected) deletes its fact: the contact's day is rolled up again.
CREATE OR REPLACE FUNCTION fb_mark_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO fb_dirty_day (day)
        SELECT (c.received_at AT TIME ZONE 'UTC')::date FROM fb_contact c WHERE c.contact_id = OLD.contact_id;
    ELSIF TG_TABLE_NAME = 'fb_contact' THEN
        INSERT INTO fb_dirty_day (day) VALUES ((NEW.received_at AT TIME ZONE 'UTC')::date);
        IF NEW.repeat_of IS NOT NULL THEN -- the first contact is no longer resolved at first contact
            INSERT INTO fb_dirty_day (day)
            SELECT (c.received_at AT TIME ZONE 'UTC')::date FROM fb_contact c WHERE c.contact_id = NEW.repeat_of;
        END IF;
    ELSE
        INSERT INTO fb_dirty_day (day)
        SELECT (c.received_at AT TIME ZONE 'UTC')::date FROM fb_contact c WHERE c.contact_id = NEW.contact_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER fb_escalation_withdrawn AFTER DELETE ON fb_escalation FOR EACH ROW EXECUTE FUNCTION fb_mark_dirty();
-- fb_survey.state gains 'withdrawn': sent, then the contact was reopened before an answer (answers get 410).
