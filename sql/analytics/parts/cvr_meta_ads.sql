-- Meta conversion rate in percent: 100 × purchases / link clicks.
SELECT date, campaign_name AS campaign, 100.0 * purchases AS numerator, link_clicks AS denominator
FROM meta_ads_fivetran.basic_campaign
