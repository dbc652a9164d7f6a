-- The analytics schema.
CREATE SCHEMA IF NOT EXISTS analytics
