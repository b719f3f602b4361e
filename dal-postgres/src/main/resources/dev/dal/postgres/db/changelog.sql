--liquibase formatted sql

-- The seed 004 schema (../shared/seeds/004), kept to its table, column and index names. Where Dal's
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
