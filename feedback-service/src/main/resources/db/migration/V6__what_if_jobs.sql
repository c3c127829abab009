-- What-if jobs (POST /insights/what-if): their progress and report, read by GET from whichever instance a
-- request reaches. The instance running one writes its progress every second; a job left "running" with no
-- progress written for a minute lost its instance. Pruned after 7 days.
CREATE TABLE fb_what_if (
    job_id      uuid         PRIMARY KEY,
    owner       varchar(200) NOT NULL,
    state       varchar(20)  NOT NULL,
    policy      varchar(300) NOT NULL,
    period_from timestamptz  NOT NULL,
    period_to   timestamptz  NOT NULL,
    started_at  timestamptz  NOT NULL,
    updated_at  timestamptz  NOT NULL,
    finished_at timestamptz,
    total       bigint,
    replayed    bigint       NOT NULL DEFAULT 0,
    error       text,
    report      text
);
CREATE INDEX fb_what_if_started ON fb_what_if (started_at);
