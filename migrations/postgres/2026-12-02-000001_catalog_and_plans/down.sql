DROP TABLE plan_courses;
DROP TABLE plan_revisions;
DROP TABLE plans;
DROP TABLE courses;
