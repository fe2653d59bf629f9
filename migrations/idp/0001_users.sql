-- Users of the development identity provider (src/services/idp). Usernames and emails
-- are stored in lower case, as Keycloak does, so uniqueness is case-insensitive.
CREATE TABLE users (
  id             uuid PRIMARY KEY,
  username       text NOT NULL CHECK (username <> '' AND username = lower(username)),
  email          text CHECK (email = lower(email)),
  first_name     text NOT NULL DEFAULT '',
  last_name      text NOT NULL DEFAULT '',
  password_hash  text,  -- crypto::hash_password (PBKDF2-HMAC-SHA256); NULL: no password
  enabled        boolean NOT NULL DEFAULT true,
  email_verified boolean NOT NULL DEFAULT false,
  groups         text[] NOT NULL DEFAULT '{}',  -- full group paths, e.g. /Tiers/PRO
  realm_roles    text[] NOT NULL DEFAULT '{}',
  created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX users_username_key ON users (username);
CREATE UNIQUE INDEX users_email_key ON users (email) WHERE email IS NOT NULL;
