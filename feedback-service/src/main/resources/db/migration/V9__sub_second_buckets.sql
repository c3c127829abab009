-- Elapsed times under a second kept to within 5 % in the rollups, as longer ones are. Bucket 0 was "under a
-- second", read as 500 ms: a day of chat answered in 35 ms (sla-service's /sla/compliance median) read as 0.5 s
-- in GET /kpis whenever the day came from the rollups.
-- Bucket b now holds [1000 * 1.05^(b-1), 1000 * 1.05^b) milliseconds for every b, negative under 0.95 s
-- (1 ms is bucket -141); 0 ms has bucket -142 of its own. Buckets of a second and more are as they were.
CREATE OR REPLACE FUNCTION fb_kpi_bucket(ms bigint) RETURNS int LANGUAGE sql IMMUTABLE AS
$$ SELECT CASE WHEN ms < 1 THEN -142 ELSE 1 + floor(ln(ms / 1000.0::float8) / ln(1.05::float8))::int END $$;

-- Contacts with a time in the old bucket 0 are put in again (decision 023): the refresher takes their stored
-- bucket 0 out of the rollups and puts the new buckets in; requests correct for them until it has.
INSERT INTO fb_dirty_contact (contact_id)
SELECT DISTINCT contact_id FROM fb_kpi_contact_hist WHERE metric <> 'rank' AND bucket = 0;
