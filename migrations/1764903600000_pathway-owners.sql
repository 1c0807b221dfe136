-- Up Migration

-- Who may change a pathway: the coordinators of its owning area, or (owner_area_id NULL) only
-- admins, for a regional pathway every area shares. One row per pathway key, so a draft and all
-- its versions have one owner.
CREATE TABLE pathway_owners (
  key text PRIMARY KEY,
  owner_area_id text,
  assigned_at timestamptz NOT NULL DEFAULT now(),
  assigned_by text NOT NULL
);

-- Pathways that exist already: one created by a coordinator of exactly one area belongs to that
-- area; the reference pathway and every other one are regional (only admins change them).
INSERT INTO pathway_owners (key, owner_area_id, assigned_by)
SELECT c.key,
  CASE WHEN c.key <> 'oss-integrated-pathway' AND cardinality(u.areas) = 1 AND NOT ('admin' = ANY (u.roles)) THEN u.areas[1] END,
  'migration'
FROM (
  SELECT DISTINCT ON (key) key, created_by
  FROM (
    SELECT key, published_by AS created_by, published_at AS created_at FROM pathway_versions
    UNION ALL
    SELECT key, created_by, created_at FROM pathway_drafts
  ) AS created
  ORDER BY key, created_at
) AS c
LEFT JOIN users u ON u.id = c.created_by
ON CONFLICT (key) DO NOTHING;

-- Down Migration
DROP TABLE pathway_owners;
