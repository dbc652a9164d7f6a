-- Meta cost per link click: spend / link clicks.
SELECT date, campaign_name AS campaign, spend AS numerator, link_clicks AS denominator
FROM meta_ads_fivetran.basic_campaign
