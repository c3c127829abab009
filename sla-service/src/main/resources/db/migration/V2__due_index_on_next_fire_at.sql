-- The orphan sweep asks for overdue timers of every partition; an index led by kafka_partition made
-- that a scan of all open timers (hundreds of ms at a million, stalling the clock). One index on
-- next_fire_at serves both the owned-partitions refill and the sweep.
DROP INDEX sla_timer_due;
CREATE INDEX sla_timer_next_fire ON sla_timer (next_fire_at) WHERE next_fire_at IS NOT NULL;
