-- Daily KPI rollups (decision 015): per UTC day of receipt and per value of one dimension (none,
-- channel, priority, team, category, tier), the counters GET /kpis adds up, and histograms of elapsed
-- times in buckets 5 % wide for the percentiles. A trigger marks a contact's day dirty whenever one of
-- its facts changes; KpiRollups recomputes dirty days, and a request aggregates dirty and partial days
-- from the facts at once, so figures are never stale.

CREATE TABLE fb_kpi_day (
    day           date         NOT NULL,
    dim           varchar(10)  NOT NULL,
    value         varchar(200) NOT NULL,
    contacts      bigint NOT NULL,
    resolved      bigint NOT NULL,
    first_contact bigint NOT NULL,
    reopened      bigint NOT NULL,
    escalated     bigint NOT NULL,
    top_rank      int,
    targets       bigint NOT NULL,
    met           bigint NOT NULL,
    promises      bigint NOT NULL,
    kept          bigint NOT NULL,
    csat_n        bigint NOT NULL,
    csat_good     bigint NOT NULL,
    nps_n         bigint NOT NULL,
    promoters     bigint NOT NULL,
    detractors    bigint NOT NULL,
    ces_n         bigint NOT NULL,
    ces_sum       bigint NOT NULL,
    PRIMARY KEY (dim, day, value)
);

CREATE TABLE fb_kpi_hist (
    day     date         NOT NULL,
    dim     varchar(10)  NOT NULL,
    value   varchar(200) NOT NULL,
    metric  varchar(30)  NOT NULL,
    bucket  int          NOT NULL,
    n       bigint       NOT NULL,
    PRIMARY KEY (dim, day, value, metric, bucket)
);

-- Append-only, no unique key: marking a day never waits on another transaction (a unique key made
-- the consumer, the survey timers and the refresher deadlock on it). The refresher deletes a day's marks.
CREATE TABLE fb_dirty_day (
    day date NOT NULL
);
CREATE INDEX fb_dirty_day_day ON fb_dirty_day (day);

-- Bucket 0: under a second; bucket b >= 1: [1000 * 1.05^(b-1), 1000 * 1.05^b) milliseconds.
CREATE FUNCTION fb_kpi_bucket(ms bigint) RETURNS int LANGUAGE sql IMMUTABLE AS
$$ SELECT CASE WHEN ms < 1000 THEN 0 ELSE 1 + floor(ln(ms / 1000.0) / ln(1.05))::int END $$;

CREATE FUNCTION fb_mark_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'fb_contact' THEN
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

CREATE TRIGGER fb_contact_dirty AFTER INSERT OR UPDATE ON fb_contact FOR EACH ROW EXECUTE FUNCTION fb_mark_dirty();
CREATE TRIGGER fb_sla_dirty AFTER INSERT OR UPDATE ON fb_sla FOR EACH ROW EXECUTE FUNCTION fb_mark_dirty();
CREATE TRIGGER fb_escalation_dirty AFTER INSERT OR UPDATE ON fb_escalation FOR EACH ROW EXECUTE FUNCTION fb_mark_dirty();
CREATE TRIGGER fb_survey_dirty AFTER INSERT OR UPDATE ON fb_survey FOR EACH ROW EXECUTE FUNCTION fb_mark_dirty();
