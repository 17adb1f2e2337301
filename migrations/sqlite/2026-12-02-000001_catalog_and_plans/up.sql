-- The district course catalog. Lists of values are stored as JSON text so that both
-- backends share one schema.
CREATE TABLE courses (
    district_id      TEXT NOT NULL REFERENCES districts (id),
    id               TEXT NOT NULL,
    course_code      TEXT NOT NULL,
    sced_code        TEXT NOT NULL,
    sced_level       TEXT,
    sced_credit      TEXT,
    sced_sequence    TEXT,
    state_code       TEXT,
    title            TEXT NOT NULL,
    credits          INTEGER NOT NULL,
    grade_levels     TEXT NOT NULL,
    regents_flag     TEXT,
    attributes       TEXT NOT NULL,
    career_cluster   TEXT,
    career_pathway   TEXT,
    prerequisites    TEXT NOT NULL,
    repeatable       BOOLEAN NOT NULL,
    active           BOOLEAN NOT NULL,
    revision         INTEGER NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    PRIMARY KEY (district_id, id)
);
CREATE UNIQUE INDEX courses_natural_key ON courses (district_id, course_code);
CREATE INDEX courses_sced ON courses (district_id, sced_code);

-- One row per plan with the columns that lists and reports filter on; the full plan is
-- the JSON document.
CREATE TABLE plans (
    district_id      TEXT NOT NULL REFERENCES districts (id),
    id               TEXT NOT NULL,
    student_id       TEXT NOT NULL,
    school_id        TEXT,
    graduation_year  INTEGER NOT NULL,
    status           TEXT NOT NULL,
    counselor        TEXT,
    has_career_focus BOOLEAN NOT NULL,
    document         TEXT NOT NULL,
    revision         INTEGER NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    PRIMARY KEY (district_id, id),
    FOREIGN KEY (district_id, student_id) REFERENCES students (district_id, id),
    FOREIGN KEY (district_id, school_id) REFERENCES schools (district_id, id)
);
CREATE UNIQUE INDEX plans_one_active_per_student ON plans (district_id, student_id) WHERE status = 'active';
CREATE INDEX plans_by_student ON plans (district_id, student_id);
CREATE INDEX plans_by_cohort ON plans (district_id, graduation_year, id);

-- Every revision of every plan, with who made it and which parts changed.
CREATE TABLE plan_revisions (
    district_id  TEXT NOT NULL,
    plan_id      TEXT NOT NULL,
    revision     INTEGER NOT NULL,
    document     TEXT NOT NULL,
    changed_by   TEXT NOT NULL,
    changed      TEXT NOT NULL,
    changed_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (district_id, plan_id, revision),
    FOREIGN KEY (district_id, plan_id) REFERENCES plans (district_id, id)
);

-- Which catalog courses plans use, so that a used course is never deleted.
CREATE TABLE plan_courses (
    district_id  TEXT NOT NULL,
    plan_id      TEXT NOT NULL,
    course_id    TEXT NOT NULL,
    PRIMARY KEY (district_id, plan_id, course_id),
    FOREIGN KEY (district_id, plan_id) REFERENCES plans (district_id, id),
    FOREIGN KEY (district_id, course_id) REFERENCES courses (district_id, id)
);
CREATE INDEX plan_courses_by_course ON plan_courses (district_id, course_id);
