-- Platform-reported conversion value: Google Ads and Meta, per campaign.
SELECT date, campaign, numerator, NULL::DOUBLE AS denominator
FROM analytics.parts_conversion_value_google_ads
UNION ALL
SELECT date, campaign, numerator, NULL::DOUBLE AS denominator
FROM analytics.parts_conversion_value_meta_ads
