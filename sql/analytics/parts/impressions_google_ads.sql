-- Google Ads impressions per campaign and day (CAMPAIGN_STATS).
SELECT
    date,
    campaign_name AS campaign,
    impressions::DOUBLE AS numerator,
    NULL::DOUBLE AS denominator
FROM google_ads_fivetran.campaign_stats
