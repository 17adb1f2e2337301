DROP TABLE idempotency_keys;
DROP TABLE changes;
DROP TABLE change_counter;
DROP TABLE students;
DROP TABLE api_clients;
DROP TABLE schools;
DROP TABLE districts;
