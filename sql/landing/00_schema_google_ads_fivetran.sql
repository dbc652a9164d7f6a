-- The google_ads_fivetran schema.
CREATE SCHEMA IF NOT EXISTS google_ads_fivetran
