-- Google Ads CTR in percent: 100 × clicks / impressions, summed over campaigns.
SELECT date, campaign_name AS campaign, 100.0 * clicks AS numerator, impressions AS denominator
FROM google_ads_fivetran.campaign_stats
