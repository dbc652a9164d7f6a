-- Paid spend: Google Ads cost and Meta spend, per campaign.
SELECT date, campaign, numerator, NULL::DOUBLE AS denominator
FROM analytics.parts_spend_google_ads
UNION ALL
SELECT date, campaign, numerator, NULL::DOUBLE AS denominator
FROM analytics.parts_spend_meta_ads
