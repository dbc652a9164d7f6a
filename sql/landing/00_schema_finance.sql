-- The finance schema.
CREATE SCHEMA IF NOT EXISTS finance
