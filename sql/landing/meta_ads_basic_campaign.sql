-- Meta Ads BASIC_CAMPAIGN: one row per campaign and day.
CREATE TABLE IF NOT EXISTS meta_ads_fivetran.basic_campaign (
    date DATE NOT NULL,
    campaign_id VARCHAR NOT NULL,
    campaign_name VARCHAR NOT NULL,
    impressions BIGINT NOT NULL,
    reach BIGINT NOT NULL,
    clicks BIGINT NOT NULL,
    link_clicks BIGINT NOT NULL,
    spend DOUBLE NOT NULL,
    purchases DOUBLE NOT NULL,
    purchase_value DOUBLE NOT NULL,
    daily_budget DOUBLE,
    PRIMARY KEY (date, campaign_id)
);
