-- Klaviyo email-attributed revenue per campaign or flow and day.
SELECT date, campaign_name AS campaign, attributed_revenue AS numerator, NULL::DOUBLE AS denominator
FROM klaviyo_fivetran.campaign
UNION ALL
SELECT date, flow_name AS campaign, attributed_revenue AS numerator, NULL::DOUBLE AS denominator
FROM klaviyo_fivetran.flow
