-- District-defined career-interest instruments. Each version is immutable once stored; the
-- built-in O*NET Interest Profiler Short Form lives in code, not here.
CREATE TABLE instruments (
    district_id  TEXT NOT NULL REFERENCES districts (id),
    id           TEXT NOT NULL,
    version      TEXT NOT NULL,
    document     TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (district_id, id, version)
);

-- Survey responses keep the answers; results are scored from them with the stored
-- (immutable) instrument version, so a result never drifts from its answers.
CREATE TABLE survey_responses (
    district_id         TEXT NOT NULL REFERENCES districts (id),
    id                  TEXT NOT NULL,
    student_id          TEXT NOT NULL,
    instrument_id       TEXT NOT NULL,
    instrument_version  TEXT NOT NULL,
    administered_on     DATE NOT NULL,
    grade_level         INTEGER NOT NULL,
    answers             TEXT NOT NULL,
    holland_code        TEXT NOT NULL,
    created_at          TIMESTAMP NOT NULL,
    PRIMARY KEY (district_id, id),
    FOREIGN KEY (district_id, student_id) REFERENCES students (district_id, id)
);
CREATE UNIQUE INDEX survey_responses_natural_key
    ON survey_responses (district_id, student_id, instrument_id, administered_on);

-- The imported O*NET release (at most one row): occupations with interest profiles, job
-- zones and career clusters, as JSON.
CREATE TABLE onet_releases (
    id                TEXT PRIMARY KEY,
    release           TEXT NOT NULL,
    occupation_count  INTEGER NOT NULL,
    occupations       TEXT NOT NULL,
    imported_at       TIMESTAMP NOT NULL
);
