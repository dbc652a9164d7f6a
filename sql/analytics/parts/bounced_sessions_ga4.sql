-- GA4 bounced sessions: sessions - engaged sessions.
SELECT
    date,
    session_source_medium AS campaign,
    (sessions - engaged_sessions)::DOUBLE AS numerator,
    NULL::DOUBLE AS denominator
FROM ga4_fivetran.traffic_source
