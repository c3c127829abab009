-- One truth for every promise (docs/outcomes.md): an SLA breach that sla-service later corrects
-- (sla.met with correctsBreach) withdraws what that breach alone raised here.
-- breach: the timer ('<metric>#<cycle>') whose breach alone stands behind the escalation's current level and
-- team; before_level, before_team: where it stood before that breach raised it (both null: the breach opened it).
ALTER TABLE escalation ADD COLUMN breach VARCHAR(60);
ALTER TABLE escalation ADD COLUMN before_level VARCHAR(100);
ALTER TABLE escalation ADD COLUMN before_team VARCHAR(100);
-- cause: the broken promise ('promise#<n>') that opened the complaint, null for a complaint category;
-- withdrawn_at: when the promise's breach was corrected, and the complaint with it.
ALTER TABLE complaint ADD COLUMN cause VARCHAR(60);
ALTER TABLE complaint ADD COLUMN withdrawn_at TIMESTAMPTZ;
