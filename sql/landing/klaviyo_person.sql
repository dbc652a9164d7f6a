-- Klaviyo PERSON snapshot per day: list size (subscribed profiles).
CREATE TABLE IF NOT EXISTS klaviyo_fivetran.list_size (
    date DATE NOT NULL,
    subscribed_profiles BIGINT NOT NULL,
    PRIMARY KEY (date)
);
