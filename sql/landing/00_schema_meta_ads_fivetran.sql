-- The meta_ads_fivetran schema.
CREATE SCHEMA IF NOT EXISTS meta_ads_fivetran
