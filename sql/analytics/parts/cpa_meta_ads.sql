-- Meta cost per purchase: spend / purchases.
SELECT date, campaign_name AS campaign, spend AS numerator, purchases AS denominator
FROM meta_ads_fivetran.basic_campaign
