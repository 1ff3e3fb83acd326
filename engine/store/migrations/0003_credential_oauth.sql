-- OAuth 2 credentials refresh their tokens in place. version is bumped by
-- every write of a credential, so a token refresh compares and swaps on it
-- and never overwrites a concurrent edit or another process's refresh.
-- refresh_until is the lease a process takes (by compare-and-swap on
-- version) before calling the provider's token endpoint, so two processes
-- never spend the same refresh token. status is '' for ordinary
-- credentials, 'connected' for a working OAuth connection, 'reconnect'
-- when the provider refused the refresh token (invalid_grant) and
-- 'disconnected' after the user revoked it.
ALTER TABLE credentials ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE credentials ADD COLUMN status TEXT NOT NULL DEFAULT '';
ALTER TABLE credentials ADD COLUMN refresh_until BIGINT NOT NULL DEFAULT 0;
