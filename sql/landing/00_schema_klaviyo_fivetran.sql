-- The klaviyo_fivetran schema.
CREATE SCHEMA IF NOT EXISTS klaviyo_fivetran
