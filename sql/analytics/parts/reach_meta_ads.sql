-- Meta Ads daily reach (person-days over a window) per campaign and day (BASIC_CAMPAIGN).
SELECT date, campaign_name AS campaign, reach::DOUBLE AS numerator, NULL::DOUBLE AS denominator
FROM meta_ads_fivetran.basic_campaign
