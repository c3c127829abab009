-- A promise timer (metric 'promise', cycle = the promise's number) keeps what was promised, in words.
ALTER TABLE sla_timer ADD COLUMN promised VARCHAR(500);
