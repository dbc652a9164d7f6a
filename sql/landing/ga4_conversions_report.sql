-- GA4 CONVERSIONS_REPORT: e-commerce events per session source/medium and day.
CREATE TABLE IF NOT EXISTS ga4_fivetran.conversions_report (
    date DATE NOT NULL,
    session_source_medium VARCHAR NOT NULL,
    add_to_carts BIGINT NOT NULL,
    begin_checkouts BIGINT NOT NULL,
    purchases BIGINT NOT NULL,
    purchase_revenue DOUBLE NOT NULL,
    PRIMARY KEY (date, session_source_medium)
);
