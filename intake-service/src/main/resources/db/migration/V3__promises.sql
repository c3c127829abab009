-- Promises an agent made on a contact are numbered from 1; the contact counts them (the promises
-- themselves are events, timed by sla-service).
ALTER TABLE contact ADD COLUMN promises INT NOT NULL DEFAULT 0;
