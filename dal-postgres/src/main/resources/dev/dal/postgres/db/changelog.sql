--liquibase formatted sql

-- The schema the legacy PHP chat application planned for PostgreSQL (users, chat_sessions, messages,
-- user_memory), kept to its table, column and index names, so its tools and queries still apply. Where Dal's
-- rules need more, it adds only constraints: NOT NULL on what Dal always sets, a UNIQUE
-- (chat_session_id, sequence_number), and code-point ("C") order for memory types and keys so
-- every store lists them alike. Liquibase records applied changesets in databasechangelog (with
-- checksums) and serializes runs with databasechangeloglock.

--changeset dal:001-users
CREATE TABLE users (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    clerk_id VARCHAR(255) UNIQUE,
    email VARCHAR(255),
    name VARCHAR(255),
    profile JSONB NOT NULL DEFAULT '{}',
    preferences JSONB NOT NULL DEFAULT '{}',
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    last_active_at TIMESTAMP WITH TIME ZONE,
    status VARCHAR(50) NOT NULL DEFAULT 'active'
);
CREATE INDEX idx_users_clerk_id ON users(clerk_id);
CREATE INDEX idx_users_email ON users(email);
CREATE INDEX idx_users_status ON users(status);
--rollback DROP TABLE users;

--changeset dal:002-chat-sessions
CREATE TABLE chat_sessions (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    chat_id VARCHAR(255) UNIQUE NOT NULL,
    user_id UUID REFERENCES users(id) ON DELETE SET NULL,
    title VARCHAR(255),
    profile VARCHAR(50) NOT NULL DEFAULT 'general',
    metadata JSONB NOT NULL DEFAULT '{}',
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    last_message_at TIMESTAMP WITH TIME ZONE,
    message_count INTEGER NOT NULL DEFAULT 0,
    status VARCHAR(50) NOT NULL DEFAULT 'active'
);
CREATE INDEX idx_chat_sessions_chat_id ON chat_sessions(chat_id);
CREATE INDEX idx_chat_sessions_user_id ON chat_sessions(user_id);
CREATE INDEX idx_chat_sessions_profile ON chat_sessions(profile);
CREATE INDEX idx_chat_sessions_status ON chat_sessions(status);
CREATE INDEX idx_chat_sessions_last_message ON chat_sessions(last_message_at);
CREATE INDEX idx_chat_sessions_user_recent ON chat_sessions(user_id, last_message_at DESC);
--rollback DROP TABLE chat_sessions;

--changeset dal:003-messages
CREATE TABLE messages (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    chat_session_id UUID NOT NULL REFERENCES chat_sessions(id) ON DELETE CASCADE,
    role VARCHAR(50) NOT NULL,
    content TEXT NOT NULL,
    metadata JSONB NOT NULL DEFAULT '{}',
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    sequence_number INTEGER NOT NULL,
    token_count INTEGER,
    abuse_flagged BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX idx_messages_chat_session ON messages(chat_session_id);
CREATE INDEX idx_messages_role ON messages(role);
-- Unique, not only an index: two messages of one session never share a number.
CREATE UNIQUE INDEX idx_messages_sequence ON messages(chat_session_id, sequence_number);
CREATE INDEX idx_messages_created_at ON messages(created_at);
CREATE INDEX idx_messages_abuse_flagged ON messages(abuse_flagged);
CREATE INDEX idx_messages_chat_recent ON messages(chat_session_id, created_at DESC);
--rollback DROP TABLE messages;

--changeset dal:004-user-memory
CREATE TABLE user_memory (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    memory_type VARCHAR(100) COLLATE "C" NOT NULL,
    key VARCHAR(255) COLLATE "C" NOT NULL,
    value JSONB NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    expires_at TIMESTAMP WITH TIME ZONE,
    UNIQUE(user_id, memory_type, key)
);
CREATE INDEX idx_user_memory_user_id ON user_memory(user_id);
CREATE INDEX idx_user_memory_type ON user_memory(memory_type);
CREATE INDEX idx_user_memory_expires ON user_memory(expires_at);
CREATE INDEX idx_user_memory_lookup ON user_memory(user_id, memory_type, key);
--rollback DROP TABLE user_memory;

--changeset dal:005-record-versions
-- Record versions: every existing user, session and memory entry starts at 1; the store adds one with
-- every change, in the statement that makes it. A deletion leaves a tombstone, the key and the deleted
-- version plus one, so a late bulk upsert of an older version cannot bring the record back. Tombstones
-- hold no foreign keys: what they name is gone. A session's tombstone keeps the deleted session's id
-- (its messages name it), indexed for the check a message upsert makes.
ALTER TABLE users ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE chat_sessions ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE user_memory ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
CREATE TABLE user_tombstones (
    id UUID PRIMARY KEY,
    version BIGINT NOT NULL
);
CREATE TABLE session_tombstones (
    chat_id VARCHAR(255) PRIMARY KEY,
    session_id UUID NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX idx_session_tombstones_session_id ON session_tombstones(session_id);
CREATE TABLE memory_tombstones (
    user_id UUID NOT NULL,
    memory_type VARCHAR(100) COLLATE "C" NOT NULL,
    key VARCHAR(255) COLLATE "C" NOT NULL,
    version BIGINT NOT NULL,
    PRIMARY KEY (user_id, memory_type, key)
);
--rollback DROP TABLE memory_tombstones;
--rollback DROP TABLE session_tombstones;
--rollback DROP TABLE user_tombstones;
--rollback ALTER TABLE user_memory DROP COLUMN version;
--rollback ALTER TABLE chat_sessions DROP COLUMN version;
--rollback ALTER TABLE users DROP COLUMN version;

--changeset dal:006-message-digests splitStatements:false
-- Each message's hash for range digests (dal verify), stored beside it as four signed 32-bit lanes so a range's
-- digest is a sum of columns, not an MD5 of every row at verify time. Dal writes them with the row. Rows written
-- before this changeset, or by another writer, hold NULL, and the digest statement hashes those rows itself. An
-- UPDATE that changes a hashed column but not the lanes (an older Dal, a hand-written statement) sets them NULL,
-- so a stored hash never describes a row it does not match. Adding nullable columns rewrites no table.
ALTER TABLE messages ADD COLUMN digest_1 INTEGER, ADD COLUMN digest_2 INTEGER, ADD COLUMN digest_3 INTEGER,
    ADD COLUMN digest_4 INTEGER;
CREATE FUNCTION dal_forget_stale_message_digest() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.digest_1 := NULL;
    NEW.digest_2 := NULL;
    NEW.digest_3 := NULL;
    NEW.digest_4 := NULL;
    RETURN NEW;
END
$$;
CREATE TRIGGER messages_stale_digest BEFORE UPDATE ON messages FOR EACH ROW
    WHEN (NEW.digest_1 IS NOT DISTINCT FROM OLD.digest_1 AND NEW.digest_2 IS NOT DISTINCT FROM OLD.digest_2
        AND NEW.digest_3 IS NOT DISTINCT FROM OLD.digest_3 AND NEW.digest_4 IS NOT DISTINCT FROM OLD.digest_4
        AND (NEW.id, NEW.chat_session_id, NEW.sequence_number, NEW.role, NEW.content, NEW.metadata::text,
             NEW.created_at, NEW.token_count, NEW.abuse_flagged)
            IS DISTINCT FROM (OLD.id, OLD.chat_session_id, OLD.sequence_number, OLD.role, OLD.content,
             OLD.metadata::text, OLD.created_at, OLD.token_count, OLD.abuse_flagged))
    EXECUTE FUNCTION dal_forget_stale_message_digest();
--rollback DROP TRIGGER messages_stale_digest ON messages;
--rollback DROP FUNCTION dal_forget_stale_message_digest();
--rollback ALTER TABLE messages DROP COLUMN digest_1, DROP COLUMN digest_2, DROP COLUMN digest_3, DROP COLUMN digest_4;

--changeset dal:007-session-listing-filters
-- Session listings filter by status (active only by default) and by profile before the page is cut. Each index
-- leads with the owner and the filtered column and ends with the listing's order, so a filtered page is read in
-- order from the index instead of sorting every session the user has. Built inside the changeset's transaction:
-- chat_sessions takes no writes while they build, which is short for a table of sessions.
CREATE INDEX idx_chat_sessions_user_status_activity
    ON chat_sessions(user_id, status, COALESCE(last_message_at, created_at) DESC, id DESC);
CREATE INDEX idx_chat_sessions_user_profile_activity
    ON chat_sessions(user_id, profile, COALESCE(last_message_at, created_at) DESC, id DESC);
--rollback DROP INDEX idx_chat_sessions_user_profile_activity;
--rollback DROP INDEX idx_chat_sessions_user_status_activity;

--changeset dal:008-message-search
-- Full-text search over message content: seed 004's GIN index on to_tsvector, with the 'simple' configuration
-- (lower-cased words, no stemming, no stop words), the one Dal's queries name, so every language's words match
-- whole. Runs of characters that are not letters, digits or combining marks become spaces first, so the parser
-- sees Dal's words only (it would keep don't, example.com or 3.14 whole). Building it reads every message once,
-- inside the changeset's transaction.
CREATE INDEX idx_messages_content_fts ON messages
    USING gin (to_tsvector('simple'::regconfig, regexp_replace(content, '[^[:alnum:]\u0300-\u036f]+', ' ', 'g')));
--rollback DROP INDEX idx_messages_content_fts;

--changeset dal:009-message-search-config runOnChange:true
--preconditions onFail:MARK_RAN
--precondition-sql-check expectedResult:0 SELECT count(*) FROM pg_indexes WHERE indexname = 'idx_messages_content_fts' AND indexdef LIKE '%''${dal.searchConfig}''::regconfig%'
-- The full-text index is built for the text search configuration DB_SEARCH_CONFIG names ('simple' unless it
-- names another), the one the store's queries name. The setting is a changelog parameter, so the changeset's
-- checksum changes with it and runOnChange runs it again at the next migration. Where the index is already
-- built for that configuration (as 008 built it for 'simple'), it marks itself ran and changes nothing; else it
-- rebuilds the index, reading every message once.
DROP INDEX IF EXISTS idx_messages_content_fts;
CREATE INDEX idx_messages_content_fts ON messages
    USING gin (to_tsvector('${dal.searchConfig}'::regconfig, regexp_replace(content, '[^[:alnum:]\u0300-\u036f]+', ' ', 'g')));
--rollback DROP INDEX IF EXISTS idx_messages_content_fts;
--rollback CREATE INDEX idx_messages_content_fts ON messages USING gin (to_tsvector('simple'::regconfig, regexp_replace(content, '[^[:alnum:]\u0300-\u036f]+', ' ', 'g')));

--changeset dal:010-message-votes
-- Message votes: one row per user per message. The primary key is what a second vote's upsert conflicts on
-- (ON CONFLICT), and a session's tallies and a user's votes read it by message id for the messages of a range.
-- Votes go with their message (a deleted session's messages cascade, and their votes with them) and with their
-- user; the index on user_id finds a deleted user's votes without a scan. A new table: nothing stored before it
-- changes.
CREATE TABLE message_votes (
    message_id UUID NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    vote TEXT NOT NULL CHECK (vote IN ('up', 'down')),
    voted_at TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (message_id, user_id)
);
CREATE INDEX idx_message_votes_user_id ON message_votes(user_id);
--rollback DROP TABLE message_votes;

--changeset dal:011-token-usage
-- Token usage: one row per model call on a message, billed to a user, never updated. A row names its message,
-- the message's session and place, and the user billed (any user, not only the session's owner). It goes with
-- its message and its session (a deleted session cascades both ways) and with its user, in either DeleteMode,
-- even when the session survives. The model is compared in code-point ("C") order, as totals are paged by it.
-- A cost is given with its currency or neither is. Totals read a time range by user, session or model, or all
-- of it; the index on message_id serves the cascade from a deleted message. A new table: nothing stored before
-- it changes.
CREATE TABLE token_usage (
    id UUID PRIMARY KEY,
    message_id UUID NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    session_id UUID NOT NULL REFERENCES chat_sessions(id) ON DELETE CASCADE,
    sequence_number BIGINT NOT NULL,
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    model TEXT COLLATE "C" NOT NULL,
    prompt_tokens BIGINT NOT NULL CHECK (prompt_tokens >= 0),
    completion_tokens BIGINT NOT NULL CHECK (completion_tokens >= 0),
    cost_micros BIGINT CHECK (cost_micros >= 0),
    currency TEXT COLLATE "C" CHECK (currency ~ '^[A-Z]{3}$'),
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT token_usage_cost_currency CHECK ((cost_micros IS NULL) = (currency IS NULL))
);
CREATE INDEX idx_token_usage_user_created ON token_usage(user_id, created_at);
CREATE INDEX idx_token_usage_session_created ON token_usage(session_id, created_at);
CREATE INDEX idx_token_usage_model_created ON token_usage(model, created_at);
CREATE INDEX idx_token_usage_created ON token_usage(created_at);
CREATE INDEX idx_token_usage_message_id ON token_usage(message_id);
--rollback DROP TABLE token_usage;
