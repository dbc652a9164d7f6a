-- Meta CPM: 1000 × spend / impressions.
SELECT date, campaign_name AS campaign, 1000.0 * spend AS numerator, impressions AS denominator
FROM meta_ads_fivetran.basic_campaign
