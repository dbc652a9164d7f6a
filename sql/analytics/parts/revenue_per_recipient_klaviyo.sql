-- Klaviyo revenue per recipient: attributed revenue / delivered.
SELECT date, campaign_name AS campaign, attributed_revenue AS numerator, delivered AS denominator
FROM klaviyo_fivetran.campaign
UNION ALL
SELECT date, flow_name AS campaign, attributed_revenue AS numerator, delivered AS denominator
FROM klaviyo_fivetran.flow
