-- gen_random_bytes() for API key secrets.
CREATE EXTENSION pgcrypto;
