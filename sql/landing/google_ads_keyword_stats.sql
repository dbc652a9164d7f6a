-- Google Ads KEYWORD_STATS: one row per keyword and day; quality score 1..10.
CREATE TABLE IF NOT EXISTS google_ads_fivetran.keyword_stats (
    date DATE NOT NULL,
    campaign_id VARCHAR NOT NULL,
    ad_group_id VARCHAR NOT NULL,
    keyword_id VARCHAR NOT NULL,
    keyword_text VARCHAR NOT NULL,
    impressions BIGINT NOT NULL,
    clicks BIGINT NOT NULL,
    cost DOUBLE NOT NULL,
    quality_score INTEGER,
    PRIMARY KEY (date, keyword_id)
);
