-- Klaviyo bounce rate in percent: 100 × bounced / sent.
SELECT
    date,
    campaign_name AS campaign,
    100.0 * bounced AS numerator,
    delivered + bounced AS denominator
FROM klaviyo_fivetran.campaign
UNION ALL
SELECT date, flow_name AS campaign, 100.0 * bounced AS numerator, delivered + bounced AS denominator
FROM klaviyo_fivetran.flow
