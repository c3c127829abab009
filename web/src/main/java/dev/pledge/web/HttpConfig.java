package dev.pledge.web;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/** HTTP settings every service shares. */
@ConfigMapping(prefix = "pledge.http")
public interface HttpConfig {

    /**
     * The largest JSON request body read, in bytes; a larger one is refused with 413 problem+json.
     * Must stay below {@code quarkus.http.limits.max-body-size}, Quarkus's hard cap.
     */
    @WithDefault("65536")
    @Min(1024)
    @Max(1_048_576)
    int maxBodyBytes();

    /**
     * Every request is answered within this ({@link Completion}): a database that does not answer gets 503
     * with {@code Retry-After}, not a connection held open. Env: {@code PLEDGE_HTTP_REQUEST_TIMEOUT}.
     */
    @WithDefault("10s")
    java.time.Duration requestTimeout();
}
