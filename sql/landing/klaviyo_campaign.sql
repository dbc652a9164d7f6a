-- Klaviyo CAMPAIGN performance: one row per campaign and day (opens and clicks are unique).
CREATE TABLE IF NOT EXISTS klaviyo_fivetran.campaign (
    date DATE NOT NULL,
    campaign_id VARCHAR NOT NULL,
    campaign_name VARCHAR NOT NULL,
    recipients BIGINT NOT NULL,
    delivered BIGINT NOT NULL,
    bounced BIGINT NOT NULL,
    opens BIGINT NOT NULL,
    clicks BIGINT NOT NULL,
    unsubscribes BIGINT NOT NULL,
    spam_complaints BIGINT NOT NULL,
    orders BIGINT NOT NULL,
    attributed_revenue DOUBLE NOT NULL,
    PRIMARY KEY (date, campaign_id)
);
