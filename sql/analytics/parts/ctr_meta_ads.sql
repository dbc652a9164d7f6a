-- Meta link CTR in percent: 100 × link clicks / impressions.
SELECT date, campaign_name AS campaign, 100.0 * link_clicks AS numerator, impressions AS denominator
FROM meta_ads_fivetran.basic_campaign
