-- Google Ads CPA: cost / conversions.
SELECT date, campaign_name AS campaign, cost AS numerator, conversions AS denominator
FROM google_ads_fivetran.campaign_stats
