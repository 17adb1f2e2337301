-- District rule sets (overlays of the built-in Kansas sets). Versions are immutable: a
-- change is stored as a new version, so an audit can always be reproduced.
CREATE TABLE rule_sets (
    district_id  TEXT NOT NULL REFERENCES districts (id),
    id           TEXT NOT NULL,
    version      INTEGER NOT NULL,
    class_from   INTEGER,
    class_to     INTEGER,
    document     TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (district_id, id, version)
);
