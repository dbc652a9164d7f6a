-- GA4 new users per source/medium.
SELECT
    date,
    session_source_medium AS campaign,
    new_users::DOUBLE AS numerator,
    NULL::DOUBLE AS denominator
FROM ga4_fivetran.traffic_source
