-- Platform-reported conversions: Google Ads and Meta, per campaign.
SELECT date, campaign, numerator, NULL::DOUBLE AS denominator
FROM analytics.parts_conversions_google_ads
UNION ALL
SELECT date, campaign, numerator, NULL::DOUBLE AS denominator
FROM analytics.parts_conversions_meta_ads
