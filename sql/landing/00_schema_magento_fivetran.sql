-- The magento_fivetran schema.
CREATE SCHEMA IF NOT EXISTS magento_fivetran
