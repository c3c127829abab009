-- Idempotency keys and external ids belong to the caller (the token's subject) that sent them: one
-- front end's key must never return another's contact. request_sha256 tells a retry (same body) from
-- a reuse of the key for something else (422).
ALTER TABLE contact ADD COLUMN caller VARCHAR(200) NOT NULL DEFAULT '';
ALTER TABLE contact ADD COLUMN request_sha256 VARCHAR(64);
ALTER TABLE contact DROP CONSTRAINT contact_external_id_key;
ALTER TABLE contact DROP CONSTRAINT contact_idempotency_key_key;
CREATE UNIQUE INDEX contact_caller_idempotency_key ON contact (caller, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE UNIQUE INDEX contact_caller_external_id ON contact (caller, external_id) WHERE external_id IS NOT NULL;
