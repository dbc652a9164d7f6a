-- Impression-weighted search impression share lost to budget in percent (campaigns that report it).
SELECT
    date,
    campaign_name AS campaign,
    100.0 * search_budget_lost_impression_share * impressions AS numerator,
    impressions AS denominator
FROM google_ads_fivetran.campaign_stats
WHERE search_budget_lost_impression_share IS NOT NULL
