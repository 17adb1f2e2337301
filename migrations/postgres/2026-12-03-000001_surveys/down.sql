DROP TABLE onet_releases;
DROP TABLE survey_responses;
DROP TABLE instruments;
