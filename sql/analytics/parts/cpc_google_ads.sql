-- Google Ads CPC: cost / clicks, summed over campaigns.
SELECT date, campaign_name AS campaign, cost AS numerator, clicks AS denominator
FROM google_ads_fivetran.campaign_stats
