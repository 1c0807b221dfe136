-- Up Migration

-- A service's name in English, beside its Italian `name`: emails name services, not codes, in the
-- recipient's language (English by preference). Null: the Italian name serves in both.
ALTER TABLE services ADD COLUMN name_en text;

-- Down Migration

ALTER TABLE services DROP COLUMN name_en;
