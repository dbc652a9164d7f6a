-- Klaviyo open rate in percent: 100 × unique opens / delivered.
SELECT date, campaign_name AS campaign, 100.0 * opens AS numerator, delivered AS denominator
FROM klaviyo_fivetran.campaign
UNION ALL
SELECT date, flow_name AS campaign, 100.0 * opens AS numerator, delivered AS denominator
FROM klaviyo_fivetran.flow
