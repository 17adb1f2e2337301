-- Plan reviews are append-only: an amendment is a new row that names the review it
-- replaces in `amends`, and no row is ever updated. The columns compliance reads are
-- copied out of the JSON document.
CREATE TABLE plan_reviews (
    district_id      TEXT NOT NULL REFERENCES districts (id),
    id               TEXT NOT NULL,
    plan_id          TEXT NOT NULL,
    plan_revision    INTEGER NOT NULL,
    held_on          DATE NOT NULL,
    school_year      INTEGER NOT NULL,
    kind             TEXT NOT NULL,
    family_attended  BOOLEAN NOT NULL,
    amends           TEXT,
    reason           TEXT,
    document         TEXT NOT NULL,
    created_by       TEXT NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    PRIMARY KEY (district_id, id),
    FOREIGN KEY (district_id, plan_id) REFERENCES plans (district_id, id),
    FOREIGN KEY (district_id, plan_id, plan_revision) REFERENCES plan_revisions (district_id, plan_id, revision),
    FOREIGN KEY (district_id, amends) REFERENCES plan_reviews (district_id, id)
);
CREATE INDEX plan_reviews_by_plan ON plan_reviews (district_id, plan_id, school_year);
-- A review has at most one amendment, so the amendments of a review form one chain.
CREATE UNIQUE INDEX plan_reviews_one_amendment ON plan_reviews (district_id, amends) WHERE amends IS NOT NULL;

-- Review policies of a district (school_id NULL) or of one school. Versions are immutable:
-- a change is stored as the next version of the same scope.
CREATE TABLE review_policies (
    district_id  TEXT NOT NULL REFERENCES districts (id),
    id           TEXT NOT NULL,
    school_id    TEXT,
    version      INTEGER NOT NULL,
    document     TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (district_id, id),
    FOREIGN KEY (district_id, school_id) REFERENCES schools (district_id, id)
);
CREATE UNIQUE INDEX review_policies_version ON review_policies (district_id, COALESCE(school_id, ''), version);
