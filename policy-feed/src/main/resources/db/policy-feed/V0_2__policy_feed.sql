-- Every policy version read from service-policy (dev.pledge.policy.feed.PolicyFeed), as published.
-- Services add classpath:db/policy-feed to quarkus.flyway.locations.
CREATE TABLE policy_feed (
    version      INTEGER      PRIMARY KEY,
    event        TEXT         NOT NULL,   -- the pledge.policy.published payload
    received_at  TIMESTAMPTZ  NOT NULL
);
