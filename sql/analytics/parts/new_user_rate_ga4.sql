-- GA4 new-user rate in percent: 100 × new users / users.
SELECT
    date,
    session_source_medium AS campaign,
    100.0 * new_users AS numerator,
    total_users AS denominator
FROM ga4_fivetran.traffic_source
