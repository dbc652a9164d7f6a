-- GA4 sessions from organic search (medium 'organic').
SELECT
    date,
    session_source_medium AS campaign,
    sessions::DOUBLE AS numerator,
    NULL::DOUBLE AS denominator
FROM ga4_fivetran.traffic_source
WHERE session_source_medium LIKE '% / organic'
