-- The ga4_fivetran schema.
CREATE SCHEMA IF NOT EXISTS ga4_fivetran
