-- Paid impressions: Google Ads and Meta, per campaign.
SELECT date, campaign, numerator, NULL::DOUBLE AS denominator
FROM analytics.parts_impressions_google_ads
UNION ALL
SELECT date, campaign, numerator, NULL::DOUBLE AS denominator
FROM analytics.parts_impressions_meta_ads
