-- Google Ads conversion rate in percent: 100 × conversions / clicks.
SELECT date, campaign_name AS campaign, 100.0 * conversions AS numerator, clicks AS denominator
FROM google_ads_fivetran.campaign_stats
