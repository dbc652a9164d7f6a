-- Meta frequency: impressions / daily reach.
SELECT date, campaign_name AS campaign, impressions::DOUBLE AS numerator, reach AS denominator
FROM meta_ads_fivetran.basic_campaign
