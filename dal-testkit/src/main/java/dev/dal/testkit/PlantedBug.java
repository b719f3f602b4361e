package dev.dal.testkit;

/**
 * One realistic bug planted in {@link ReferenceStore}, consulted at the bug's site. {@code PlantedBugsTest}
 * runs the kit against the store with each bug and requires the named contract test to fail.
 */
enum PlantedBug {
    /** addMessages reads the counter under one lock and writes under another: racy sequence numbers. */
    RACY_SEQUENCE_NUMBER,
    /** A high-water mark outside the transactional state: a rolled-back message leaves a gap. */
    GAP_AFTER_ROLLBACK,
    /** Transactions run on a snapshot without the lock and install it at commit: last writer wins. */
    LOST_UPDATE_IN_TRANSACTIONS,
    /** Each message of a batch is appended under its own lock: batches interleave. */
    NON_ATOMIC_ADD_MESSAGES,
    /** The single-key memory read ignores the expiry. */
    EXPIRED_MEMORY_VISIBLE,
    /** The by-type memory list ignores the expiry. */
    EXPIRED_MEMORY_LISTED,
    /** A scan's next cursor is one record too far: a record is skipped between batches. */
    SCAN_CURSOR_SKIPS,
    /** A scan resumes at its cursor inclusively: a record is repeated. */
    SCAN_CURSOR_REPEATS,
    /** History AFTER a cursor includes the cursor's message. */
    HISTORY_AFTER_INCLUSIVE,
    /** Sessions with the same last activity are tie-broken by id ascending instead of newest first. */
    WRONG_SORT_TIE_BREAK,
    /** A session listing filters the page after limit and offset: pages come back short and the offset counts filtered-out sessions. */
    SESSION_FILTER_AFTER_PAGE,
    /** A session listing's profile filter ignores case, so "SQL" lists "sql" sessions. */
    SESSION_PROFILE_IGNORES_CASE,
    /** Search matches a word inside longer words ("cat" finds "concatenate"). */
    SEARCH_MATCHES_PARTS_OF_WORDS,
    /** A search page resumes at its cursor inclusively: the last hit of a page is repeated on the next. */
    SEARCH_CURSOR_REPEATS_LAST_HIT,
    /** A user's second vote on a message is added beside the first instead of replacing it. */
    SECOND_VOTE_ADDS,
    /** Deleting a user leaves their votes counted. */
    DELETED_USERS_VOTES_COUNTED,
    /** updateUser keeps the old updatedAt. */
    UPDATE_KEEPS_UPDATED_AT,
    /** updateUser stamps updatedAt from the system clock, not the store's clock. */
    UPDATE_USES_SYSTEM_CLOCK,
    /** deleteChatSession leaves the session's messages behind. */
    DELETE_ORPHANS_MESSAGES,
    /** Transactions do not hold the lock: other threads see uncommitted writes. */
    TRANSACTION_VISIBLE_BEFORE_COMMIT,
    /** upsertMessages moves the session's message counter. */
    BULK_UPSERT_MOVES_COUNTERS,
    /** The health probe reports its connection URL with the password. */
    HEALTH_LEAKS_SECRET,
    /** Lock waits are unbounded (lock() instead of tryLock with DB_QUERY_TIMEOUT). */
    LOCK_WAIT_UNBOUNDED,
    /** createUser checks the external id outside the lock: two creates of one id can both win. */
    RACY_EXTERNAL_ID_CHECK,
    /** createChatSession checks the chat id outside the lock. */
    RACY_CHAT_ID_CHECK,
    /** updateUser does not check that the new external id is free. */
    UPDATE_SKIPS_EXTERNAL_ID_CHECK,
    /** Overwriting a memory key resets its createdAt. */
    MEMORY_OVERWRITE_RESETS_CREATED_AT,
    /** deleteUser keeps the user's memory. */
    DELETE_USER_KEEPS_MEMORY,
    /** The default delete mode purges the user's sessions. */
    KEEP_MODE_PURGES_SESSIONS,
    /** listUserSessionsWithLastMessage carries the first message instead of the newest. */
    OVERVIEW_CARRIES_FIRST_MESSAGE,
    /** A rollback does not restore memory. */
    ROLLBACK_KEEPS_MEMORY,
    /** getChatHistory(limit, offset) ignores the offset. */
    HISTORY_IGNORES_OFFSET,
    /** purgeExpiredMemory also removes entries that expire within the next hour. */
    PURGE_REMOVES_LIVE_MEMORY,
    /** deleteUserMemory(user, type) deletes every type of the user. */
    DELETE_TYPE_DELETES_ALL_TYPES,
    /** upsertSessions drops the session's message counters (a copy loses them). */
    UPSERT_SESSION_DROPS_COUNTERS,
    /** Memory keys compare case-insensitively. */
    MEMORY_KEYS_CASE_INSENSITIVE,
    /** Token usage totals count usage recorded at the range's end, which is exclusive. */
    TOTALS_INCLUDE_RANGE_END,
    /** Token usage totals add costs of different currencies into one sum. */
    COSTS_ADDED_ACROSS_CURRENCIES,
    /** deleteUser keeps the token usage billed to the user. */
    DELETED_USERS_USAGE_COUNTED,
    /** A transaction that adds messages fails early (before its work's own exception) and writes nothing. */
    TRANSACTION_FAILS_EARLY
}
