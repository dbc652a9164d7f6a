-- Klaviyo spam complaint rate in percent: 100 × complaints / delivered.
SELECT
    date,
    campaign_name AS campaign,
    100.0 * spam_complaints AS numerator,
    delivered AS denominator
FROM klaviyo_fivetran.campaign
UNION ALL
SELECT date, flow_name AS campaign, 100.0 * spam_complaints AS numerator, delivered AS denominator
FROM klaviyo_fivetran.flow
