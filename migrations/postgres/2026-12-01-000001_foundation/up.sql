-- Districts and schools are reference records created by the operator.
CREATE TABLE districts (
    id          TEXT PRIMARY KEY CHECK (id ~ '^D[0-9]{4}$'),
    name        TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL
);

CREATE TABLE schools (
    district_id TEXT NOT NULL REFERENCES districts (id),
    id          TEXT NOT NULL CHECK (id ~ '^[0-9]{4}$'),
    name        TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (district_id, id)
);

-- OAuth2 clients. Secrets are stored only as Argon2id PHC strings.
CREATE TABLE api_clients (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    scopes      TEXT NOT NULL,
    districts   TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    revoked_at  TIMESTAMP
);

CREATE TABLE students (
    district_id        TEXT NOT NULL REFERENCES districts (id),
    id                 TEXT NOT NULL,
    student_unique_id  TEXT NOT NULL,
    sis_id             TEXT,
    sourced_id         TEXT,
    school_id          TEXT,
    grade_level        INTEGER,
    graduation_year    INTEGER NOT NULL,
    status             TEXT NOT NULL,
    first_name         TEXT,
    middle_name        TEXT,
    last_name          TEXT,
    revision           INTEGER NOT NULL,
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL,
    PRIMARY KEY (district_id, id),
    FOREIGN KEY (district_id, school_id) REFERENCES schools (district_id, id)
);
CREATE UNIQUE INDEX students_natural_key ON students (district_id, student_unique_id);
CREATE UNIQUE INDEX students_sis_id ON students (district_id, sis_id) WHERE sis_id IS NOT NULL;
CREATE UNIQUE INDEX students_sourced_id ON students (district_id, sourced_id) WHERE sourced_id IS NOT NULL;
CREATE INDEX students_school ON students (district_id, school_id, id);

-- One global, gap-free change counter. A writer takes its change versions from this row as
-- the last step of its transaction, so versions become visible in commit order.
CREATE TABLE change_counter (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    value  BIGINT NOT NULL
);
INSERT INTO change_counter (id, value) VALUES (1, 0);

CREATE TABLE changes (
    change_version BIGINT PRIMARY KEY,
    district_id    TEXT NOT NULL,
    resource_type  TEXT NOT NULL,
    resource_id    TEXT NOT NULL,
    natural_key    TEXT NOT NULL,
    operation      TEXT NOT NULL,
    changed_at     TIMESTAMP NOT NULL
);
CREATE INDEX changes_by_district ON changes (district_id, change_version);

CREATE TABLE idempotency_keys (
    client_id        TEXT NOT NULL,
    idempotency_key  TEXT NOT NULL,
    request_hash     TEXT NOT NULL,
    state            TEXT NOT NULL,
    response_status  INTEGER,
    response_body    TEXT,
    response_etag    TEXT,
    response_location TEXT,
    created_at       TIMESTAMP NOT NULL,
    locked_at        TIMESTAMP NOT NULL,
    PRIMARY KEY (client_id, idempotency_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
