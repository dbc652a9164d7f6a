-- GA4 sessions per session source/medium (TRAFFIC_SOURCE).
SELECT
    date,
    session_source_medium AS campaign,
    sessions::DOUBLE AS numerator,
    NULL::DOUBLE AS denominator
FROM ga4_fivetran.traffic_source
