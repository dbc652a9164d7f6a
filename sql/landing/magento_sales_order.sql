-- Magento sales_order: one row per order. `channel` is the last-click marketing channel.
CREATE TABLE IF NOT EXISTS magento_fivetran.sales_order (
    order_id VARCHAR NOT NULL PRIMARY KEY,
    date DATE NOT NULL,
    customer_id VARCHAR NOT NULL,
    customer_is_new BOOLEAN NOT NULL,
    channel VARCHAR NOT NULL,
    grand_total DOUBLE NOT NULL,
    discount_amount DOUBLE NOT NULL,
    refunded_amount DOUBLE NOT NULL,
    total_item_count INTEGER NOT NULL,
    cost_of_goods DOUBLE NOT NULL
);
