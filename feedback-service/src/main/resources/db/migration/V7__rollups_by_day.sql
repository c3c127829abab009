-- The refresher replaces a day's rollup rows (KpiRollups.recompute: `DELETE ... WHERE day = $1`) every time the
-- day is dirty: today and yesterday every run while contacts arrive. The primary keys lead with the dimension, so
-- each of those deletes read the whole table: 42 ms for the histograms of 90 days (190,000 rows), growing with the
-- history kept. fb_kpi_theme's key leads with the day already.
CREATE INDEX fb_kpi_day_day ON fb_kpi_day (day);
CREATE INDEX fb_kpi_hist_day ON fb_kpi_hist (day);
