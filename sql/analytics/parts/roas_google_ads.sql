-- Google Ads ROAS: conversion value / cost.
SELECT date, campaign_name AS campaign, conversions_value AS numerator, cost AS denominator
FROM google_ads_fivetran.campaign_stats
