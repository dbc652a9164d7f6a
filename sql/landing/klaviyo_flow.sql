-- Klaviyo FLOW performance: one row per flow and day (opens and clicks are unique).
CREATE TABLE IF NOT EXISTS klaviyo_fivetran.flow (
    date DATE NOT NULL,
    flow_id VARCHAR NOT NULL,
    flow_name VARCHAR NOT NULL,
    recipients BIGINT NOT NULL,
    delivered BIGINT NOT NULL,
    bounced BIGINT NOT NULL,
    opens BIGINT NOT NULL,
    clicks BIGINT NOT NULL,
    unsubscribes BIGINT NOT NULL,
    spam_complaints BIGINT NOT NULL,
    orders BIGINT NOT NULL,
    attributed_revenue DOUBLE NOT NULL,
    PRIMARY KEY (date, flow_id)
);
