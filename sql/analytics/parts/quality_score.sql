-- Impression-weighted quality score (1-10) over keywords with a score (KEYWORD_STATS).
SELECT k.date, c.campaign_name AS campaign, k.quality_score * k.impressions::DOUBLE AS numerator,
    k.impressions::DOUBLE AS denominator
FROM google_ads_fivetran.keyword_stats AS k
JOIN google_ads_fivetran.campaign_stats AS c USING (date, campaign_id)
WHERE k.quality_score IS NOT NULL
