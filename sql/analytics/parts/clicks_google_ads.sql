-- Google Ads clicks per campaign and day (CAMPAIGN_STATS).
SELECT date, campaign_name AS campaign, clicks::DOUBLE AS numerator, NULL::DOUBLE AS denominator
FROM google_ads_fivetran.campaign_stats
