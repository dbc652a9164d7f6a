-- Meta ROAS: purchase value / spend.
SELECT date, campaign_name AS campaign, purchase_value AS numerator, spend AS denominator
FROM meta_ads_fivetran.basic_campaign
