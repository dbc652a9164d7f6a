-- Klaviyo click rate in percent: 100 × unique clicks / delivered.
SELECT date, campaign_name AS campaign, 100.0 * clicks AS numerator, delivered AS denominator
FROM klaviyo_fivetran.campaign
UNION ALL
SELECT date, flow_name AS campaign, 100.0 * clicks AS numerator, delivered AS denominator
FROM klaviyo_fivetran.flow
