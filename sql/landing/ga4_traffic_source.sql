-- GA4 TRAFFIC_SOURCE: one row per session source/medium and day.
CREATE TABLE IF NOT EXISTS ga4_fivetran.traffic_source (
    date DATE NOT NULL,
    session_source_medium VARCHAR NOT NULL,
    sessions BIGINT NOT NULL,
    engaged_sessions BIGINT NOT NULL,
    total_users BIGINT NOT NULL,
    new_users BIGINT NOT NULL,
    PRIMARY KEY (date, session_source_medium)
);
