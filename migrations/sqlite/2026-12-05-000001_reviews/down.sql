DROP TABLE review_policies;
DROP TABLE plan_reviews;
