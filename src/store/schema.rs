//! Table definitions shared by both backends. Every column uses a SQL type that SQLite and
//! PostgreSQL both support, so one `schema.rs` serves the two migration sets.

diesel::table! {
    districts (id) {
        id -> Text,
        name -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    schools (district_id, id) {
        district_id -> Text,
        id -> Text,
        name -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    api_clients (id) {
        id -> Text,
        name -> Text,
        secret_hash -> Text,
        scopes -> Text,
        districts -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    students (district_id, id) {
        district_id -> Text,
        id -> Text,
        student_unique_id -> Text,
        sis_id -> Nullable<Text>,
        sourced_id -> Nullable<Text>,
        school_id -> Nullable<Text>,
        grade_level -> Nullable<Integer>,
        graduation_year -> Integer,
        status -> Text,
        first_name -> Nullable<Text>,
        middle_name -> Nullable<Text>,
        last_name -> Nullable<Text>,
        revision -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    change_counter (id) {
        id -> Integer,
        value -> BigInt,
    }
}

diesel::table! {
    changes (change_version) {
        change_version -> BigInt,
        district_id -> Text,
        resource_type -> Text,
        resource_id -> Text,
        natural_key -> Text,
        operation -> Text,
        changed_at -> Timestamp,
    }
}

diesel::table! {
    idempotency_keys (client_id, idempotency_key) {
        client_id -> Text,
        idempotency_key -> Text,
        request_hash -> Text,
        state -> Text,
        response_status -> Nullable<Integer>,
        response_body -> Nullable<Text>,
        response_etag -> Nullable<Text>,
        response_location -> Nullable<Text>,
        created_at -> Timestamp,
        locked_at -> Timestamp,
    }
}

diesel::joinable!(schools -> districts (district_id));
diesel::allow_tables_to_appear_in_same_query!(
    districts,
    schools,
    students,
    courses,
    plans,
    plan_revisions,
    plan_courses,
    instruments,
    survey_responses,
    rule_sets,
    plan_reviews,
    review_policies
);

diesel::table! {
    courses (district_id, id) {
        district_id -> Text,
        id -> Text,
        course_code -> Text,
        sced_code -> Text,
        sced_level -> Nullable<Text>,
        sced_credit -> Nullable<Text>,
        sced_sequence -> Nullable<Text>,
        state_code -> Nullable<Text>,
        title -> Text,
        credits -> Integer,
        grade_levels -> Text,
        regents_flag -> Nullable<Text>,
        attributes -> Text,
        career_cluster -> Nullable<Text>,
        career_pathway -> Nullable<Text>,
        prerequisites -> Text,
        repeatable -> Bool,
        active -> Bool,
        revision -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    plans (district_id, id) {
        district_id -> Text,
        id -> Text,
        student_id -> Text,
        school_id -> Nullable<Text>,
        graduation_year -> Integer,
        status -> Text,
        counselor -> Nullable<Text>,
        has_career_focus -> Bool,
        document -> Text,
        revision -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    plan_revisions (district_id, plan_id, revision) {
        district_id -> Text,
        plan_id -> Text,
        revision -> Integer,
        document -> Text,
        changed_by -> Text,
        changed -> Text,
        changed_at -> Timestamp,
    }
}

diesel::table! {
    plan_courses (district_id, plan_id, course_id) {
        district_id -> Text,
        plan_id -> Text,
        course_id -> Text,
    }
}

diesel::table! {
    instruments (district_id, id, version) {
        district_id -> Text,
        id -> Text,
        version -> Text,
        document -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    survey_responses (district_id, id) {
        district_id -> Text,
        id -> Text,
        student_id -> Text,
        instrument_id -> Text,
        instrument_version -> Text,
        administered_on -> Date,
        grade_level -> Integer,
        answers -> Text,
        holland_code -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    onet_releases (id) {
        id -> Text,
        release -> Text,
        occupation_count -> Integer,
        occupations -> Text,
        imported_at -> Timestamp,
    }
}

diesel::table! {
    rule_sets (district_id, id, version) {
        district_id -> Text,
        id -> Text,
        version -> Integer,
        class_from -> Nullable<Integer>,
        class_to -> Nullable<Integer>,
        document -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    plan_reviews (district_id, id) {
        district_id -> Text,
        id -> Text,
        plan_id -> Text,
        plan_revision -> Integer,
        held_on -> Date,
        school_year -> Integer,
        kind -> Text,
        family_attended -> Bool,
        amends -> Nullable<Text>,
        reason -> Nullable<Text>,
        document -> Text,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    review_policies (district_id, id) {
        district_id -> Text,
        id -> Text,
        school_id -> Nullable<Text>,
        version -> Integer,
        document -> Text,
        created_by -> Text,
        created_at -> Timestamp,
    }
}
