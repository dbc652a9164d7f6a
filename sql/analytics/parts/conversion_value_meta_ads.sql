-- Meta Ads platform-reported purchase value per campaign and day (BASIC_CAMPAIGN).
SELECT date, campaign_name AS campaign, purchase_value AS numerator, NULL::DOUBLE AS denominator
FROM meta_ads_fivetran.basic_campaign
