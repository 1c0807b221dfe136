-- Up Migration

-- The kind of a task's deadline clock as the case engine records it: {"kind": "statutory", "legalBasis": {…}}
-- (from a legal date; suspension never moves it) or {"kind": "internal", "legalBasis": null} (paused while
-- the case is suspended). NULL for tasks whose step states no kind: those deadlines are internal, as
-- every deadline was before clocks had kinds.
ALTER TABLE tasks ADD COLUMN deadline_clock jsonb;

-- Down Migration
ALTER TABLE tasks DROP COLUMN deadline_clock;
