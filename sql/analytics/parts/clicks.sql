-- Paid clicks: Google Ads clicks and Meta link clicks, per campaign.
SELECT date, campaign, numerator, NULL::DOUBLE AS denominator
FROM analytics.parts_clicks_google_ads
UNION ALL
SELECT date, campaign, numerator, NULL::DOUBLE AS denominator
FROM analytics.parts_clicks_meta_ads
