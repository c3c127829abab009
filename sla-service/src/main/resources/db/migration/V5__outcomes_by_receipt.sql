-- One truth for every promise (docs/outcomes.md): every figure counts a contact's targets in the period the
-- contact was received in, as feedback-service's KPIs do. sla_contact.updated_at always held that time (the
-- contact.received's occurredAt; nothing moved it): it gets its true name and an index for the period.
ALTER TABLE sla_contact RENAME COLUMN updated_at TO received_at;
CREATE INDEX sla_contact_received_at ON sla_contact (received_at);

-- Who sent the contact (contact.received's caller, contract 1.2): a front end reads the SLA of its own contacts
-- only. Null for contacts received before it was recorded: those only agents, supervisors and analysts read.
ALTER TABLE sla_contact ADD COLUMN caller VARCHAR(200);
