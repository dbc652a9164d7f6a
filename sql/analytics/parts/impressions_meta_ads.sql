-- Meta Ads impressions per campaign and day (BASIC_CAMPAIGN).
SELECT
    date,
    campaign_name AS campaign,
    impressions::DOUBLE AS numerator,
    NULL::DOUBLE AS denominator
FROM meta_ads_fivetran.basic_campaign
