-- Meta Ads BASIC_AD: one row per ad (creative) and day.
CREATE TABLE IF NOT EXISTS meta_ads_fivetran.basic_ad (
    date DATE NOT NULL,
    ad_id VARCHAR NOT NULL,
    ad_name VARCHAR NOT NULL,
    campaign_id VARCHAR NOT NULL,
    impressions BIGINT NOT NULL,
    reach BIGINT NOT NULL,
    clicks BIGINT NOT NULL,
    spend DOUBLE NOT NULL,
    PRIMARY KEY (date, ad_id)
);
