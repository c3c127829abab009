-- The outbox is a queue: each row is deleted moments after its insert, so once a minute autovacuum
-- finds it almost all dead, and its last pages empty. VACUUM then ends by truncating those pages under
-- an ACCESS EXCLUSIVE lock, which every insert, and so every request that writes an event, waits for:
-- the intake bench saw inserts wait on the table's lock as each outbox vacuum ended. The empty pages
-- are refilled within a second anyway.
ALTER TABLE outbox SET (vacuum_truncate = false);
