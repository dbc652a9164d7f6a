-- GA4 bounce rate in percent: 100 × (sessions - engaged) / sessions.
SELECT
    date,
    session_source_medium AS campaign,
    100.0 * (sessions - engaged_sessions) AS numerator,
    sessions AS denominator
FROM ga4_fivetran.traffic_source
