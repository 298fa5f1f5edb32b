import GRDB

/// The schema of one knowledge-base file, as numbered migrations. A migration never changes once it has
/// shipped; a new need gets a new step.
enum Schema {
    static func migrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("1 documents, chunks, full-text index") { db in
            try db.execute(sql: """
                CREATE TABLE meta (
                    key   TEXT PRIMARY KEY,
                    value TEXT NOT NULL
                );
                CREATE TABLE documents (
                    id          INTEGER PRIMARY KEY,
                    path        TEXT NOT NULL UNIQUE,
                    size        INTEGER NOT NULL,
                    mtime_ns    INTEGER NOT NULL,
                    hash        TEXT NOT NULL,
                    title       TEXT NOT NULL,
                    format      TEXT NOT NULL,
                    status      TEXT NOT NULL,      -- 'indexed' or 'skipped'
                    skip_reason TEXT,
                    passages    INTEGER NOT NULL DEFAULT 0,
                    indexed_at  REAL NOT NULL
                );
                CREATE INDEX documents_hash ON documents(hash);

                -- Column names match the full-text table so that FTS5 can read passage text from here
                -- (external content) instead of storing a second copy.
                CREATE TABLE chunks (
                    id          INTEGER PRIMARY KEY,
                    document_id INTEGER NOT NULL REFERENCES documents(id),
                    ordinal     INTEGER NOT NULL,
                    title       TEXT NOT NULL,
                    headings    TEXT NOT NULL,      -- heading path joined with ' › '
                    body        TEXT NOT NULL,
                    line_start  INTEGER NOT NULL,
                    line_end    INTEGER NOT NULL,
                    tokens      INTEGER NOT NULL
                );
                CREATE INDEX chunks_document ON chunks(document_id, ordinal);

                CREATE VIRTUAL TABLE chunks_fts USING fts5(
                    title, headings, body,
                    content = 'chunks', content_rowid = 'id',
                    tokenize = 'porter unicode61 remove_diacritics 2'
                );
                -- Triggers keep the index exactly in step with the rows, inside the same transaction.
                CREATE TRIGGER chunks_ai AFTER INSERT ON chunks BEGIN
                    INSERT INTO chunks_fts(rowid, title, headings, body)
                    VALUES (new.id, new.title, new.headings, new.body);
                END;
                CREATE TRIGGER chunks_ad AFTER DELETE ON chunks BEGIN
                    INSERT INTO chunks_fts(chunks_fts, rowid, title, headings, body)
                    VALUES ('delete', old.id, old.title, old.headings, old.body);
                END;
                CREATE TRIGGER chunks_au AFTER UPDATE ON chunks BEGIN
                    INSERT INTO chunks_fts(chunks_fts, rowid, title, headings, body)
                    VALUES ('delete', old.id, old.title, old.headings, old.body);
                    INSERT INTO chunks_fts(rowid, title, headings, body)
                    VALUES (new.id, new.title, new.headings, new.body);
                END;
                """)
        }
        migrator.registerMigration("2 conversations") { db in
            try db.execute(sql: """
                CREATE TABLE conversations (
                    id         INTEGER PRIMARY KEY,
                    title      TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL
                );
                CREATE TABLE turns (
                    id                INTEGER PRIMARY KEY,
                    conversation_id   INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
                    ordinal           INTEGER NOT NULL,
                    question          TEXT NOT NULL,
                    answer            TEXT NOT NULL,
                    reasoning         TEXT NOT NULL DEFAULT '',
                    model             TEXT NOT NULL,
                    mode              TEXT NOT NULL,      -- 'generative' or 'extractive'
                    state             TEXT NOT NULL,      -- 'complete', 'stopped', 'incomplete', 'error'
                    error             TEXT,
                    asked_at          REAL NOT NULL,
                    retrieval_ms      REAL,
                    first_token_ms    REAL,
                    total_ms          REAL,
                    prompt_tokens     INTEGER,
                    completion_tokens INTEGER
                );
                CREATE INDEX turns_conversation ON turns(conversation_id, ordinal);
                -- A snapshot of each passage shown, so an old answer keeps its sources after documents change.
                CREATE TABLE turn_sources (
                    turn_id       INTEGER NOT NULL REFERENCES turns(id) ON DELETE CASCADE,
                    number        INTEGER NOT NULL,
                    chunk_id      INTEGER,
                    document_path TEXT NOT NULL,
                    title         TEXT NOT NULL,
                    headings      TEXT NOT NULL,
                    line_start    INTEGER NOT NULL,
                    line_end      INTEGER NOT NULL,
                    body          TEXT NOT NULL,
                    score         REAL NOT NULL,
                    cited         INTEGER NOT NULL,
                    PRIMARY KEY (turn_id, number)
                );
                """)
        }
        migrator.registerMigration("3 vectors") { db in
            try db.execute(sql: """
                -- One embedding per passage and model. AUTOINCREMENT so that an id is never reused: the
                -- in-memory matrix reloads incrementally from the last id it saw.
                CREATE TABLE chunk_vectors (
                    id       INTEGER PRIMARY KEY AUTOINCREMENT,
                    chunk_id INTEGER NOT NULL,
                    model    TEXT NOT NULL,
                    dims     INTEGER NOT NULL,
                    vector   BLOB NOT NULL,      -- dims little-endian Float32, unit length
                    UNIQUE (chunk_id, model, dims)
                );
                CREATE INDEX chunk_vectors_model ON chunk_vectors(model, dims, id);
                -- Passages are deleted with explicit DELETEs when a file changes; their vectors go with them
                -- in the same transaction.
                CREATE TRIGGER chunks_vectors_ad AFTER DELETE ON chunks BEGIN
                    DELETE FROM chunk_vectors WHERE chunk_id = old.id;
                END;
                """)
        }
        migrator.registerMigration("4 pages") { db in
            try db.execute(sql: """
                -- The pages a passage spans in a paged document (PDF); NULL for documents without pages.
                ALTER TABLE chunks ADD COLUMN page_start INTEGER;
                ALTER TABLE chunks ADD COLUMN page_end INTEGER;
                ALTER TABLE turn_sources ADD COLUMN page_start INTEGER;
                ALTER TABLE turn_sources ADD COLUMN page_end INTEGER;
                """)
        }
        return migrator
    }

    /// The columns `KnowledgeBaseStore.passage(from:score:)` reads, in its order, over `chunks c JOIN
    /// documents d`.
    static let passageColumns = "c.id, d.path, c.title, c.headings, c.line_start, c.line_end, c.body, c.page_start, c.page_end"

    /// Written to `meta` so that a newer file opened by an older Lore is recognised.
    static let headingSeparator = " › "
}
