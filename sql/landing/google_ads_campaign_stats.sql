-- Google Ads CAMPAIGN_STATS: one row per campaign and day. Shares are fractions 0..1.
CREATE TABLE IF NOT EXISTS google_ads_fivetran.campaign_stats (
    date DATE NOT NULL,
    campaign_id VARCHAR NOT NULL,
    campaign_name VARCHAR NOT NULL,
    impressions BIGINT NOT NULL,
    clicks BIGINT NOT NULL,
    cost DOUBLE NOT NULL,
    conversions DOUBLE NOT NULL,
    conversions_value DOUBLE NOT NULL,
    search_impression_share DOUBLE,
    search_rank_lost_impression_share DOUBLE,
    search_budget_lost_impression_share DOUBLE,
    daily_budget DOUBLE,
    PRIMARY KEY (date, campaign_id)
);
