-- GET /kpis over long periods: comment themes rolled up per day as the other KPIs are (a request read
-- every commented answer of its period, joined to its contacts: 0.5 s over a million contacts), and
-- elapsed-time buckets computed in floating point (ln over numeric cost 10 µs a row).

-- Per UTC day of the contact's receipt: answered comments by theme ('(none)': no keyword matched).
CREATE TABLE fb_kpi_theme (
    day           date             NOT NULL,
    theme         varchar(60)      NOT NULL,
    comments      bigint           NOT NULL,
    negative      bigint           NOT NULL,
    scored        bigint           NOT NULL,
    sentiment_sum double precision NOT NULL,
    PRIMARY KEY (day, theme)
);

-- Commented answers only: what the themes are read from when a period is aggregated from the facts.
CREATE INDEX fb_survey_commented ON fb_survey (contact_id) INCLUDE (theme, sentiment)
    WHERE state = 'answered' AND comment IS NOT NULL;

CREATE OR REPLACE FUNCTION fb_kpi_bucket(ms bigint) RETURNS int LANGUAGE sql IMMUTABLE AS
$$ SELECT CASE WHEN ms < 1000 THEN 0 ELSE 1 + floor(ln(ms / 1000.0::float8) / ln(1.05::float8))::int END $$;

-- Every day rolled up again: themes are new, and a value on a bucket's edge may fall on the other side.
INSERT INTO fb_dirty_day (day) SELECT DISTINCT (received_at AT TIME ZONE 'UTC')::date FROM fb_contact;
