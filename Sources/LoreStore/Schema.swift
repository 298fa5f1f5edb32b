import GRDB
import LoreCore

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
        migrator.registerMigration("5 trigram index of passages in scripts without spaces") { db in
            // unicode61 keeps a run of Chinese, Japanese, Korean or Thai text as one token, so a word inside
            // it is not found. A trigram index finds any substring, but over all text it triples the file
            // (PostgreSQL's manual: 14 MB to 43 MB), so it holds only the passages that need it, marked by
            // `cjk`. The writer sets the flag (`UnsegmentedScript`): SQL has no fast test for those scripts
            // (a GLOB over their character ranges took 16 s on 55 million characters), and a function
            // defined by Lore would be missing in any other SQLite client that touches the file.
            try db.execute(sql: "ALTER TABLE chunks ADD COLUMN cjk INTEGER NOT NULL DEFAULT 0")
            var marked: [Int64] = []
            let rows = try Row.fetchCursor(db, sql: "SELECT id, title, headings, body FROM chunks")
            while let row = try rows.next() {
                if UnsegmentedScript.appears(in: row[1]) || UnsegmentedScript.appears(in: row[2])
                    || UnsegmentedScript.appears(in: row[3]) {
                    marked.append(row[0])
                }
            }
            let mark = try db.makeStatement(sql: "UPDATE chunks SET cjk = 1 WHERE id = ?")
            for id in marked { try mark.execute(arguments: [id]) }
            try db.execute(sql: """
                CREATE INDEX chunks_cjk_rows ON chunks(id) WHERE cjk = 1;
                -- External content through a view of the marked rows, so that FTS5's 'rebuild' and
                -- 'integrity-check' see exactly the rows the triggers put in.
                CREATE VIEW chunks_cjk_source AS SELECT id, title, headings, body FROM chunks WHERE cjk = 1;
                CREATE VIRTUAL TABLE chunks_cjk USING fts5(
                    title, headings, body,
                    content = 'chunks_cjk_source', content_rowid = 'id',
                    tokenize = 'trigram'
                );
                -- The flag is stored with the row, so a delete sees the very values and flag its insert saw.
                CREATE TRIGGER chunks_cjk_ai AFTER INSERT ON chunks WHEN new.cjk = 1 BEGIN
                    INSERT INTO chunks_cjk(rowid, title, headings, body)
                    VALUES (new.id, new.title, new.headings, new.body);
                END;
                CREATE TRIGGER chunks_cjk_ad AFTER DELETE ON chunks WHEN old.cjk = 1 BEGIN
                    INSERT INTO chunks_cjk(chunks_cjk, rowid, title, headings, body)
                    VALUES ('delete', old.id, old.title, old.headings, old.body);
                END;
                -- One trigger, so that the old row always leaves before the new one enters.
                CREATE TRIGGER chunks_cjk_au AFTER UPDATE ON chunks BEGIN
                    INSERT INTO chunks_cjk(chunks_cjk, rowid, title, headings, body)
                    SELECT 'delete', old.id, old.title, old.headings, old.body WHERE old.cjk = 1;
                    INSERT INTO chunks_cjk(rowid, title, headings, body)
                    SELECT new.id, new.title, new.headings, new.body WHERE new.cjk = 1;
                END;
                INSERT INTO chunks_cjk(chunks_cjk) VALUES ('rebuild');
                """)
        }
        migrator.registerMigration("6 ratings of answers") { db in
            // A person's verdict on an answer (+1 good, -1 bad, NULL none), with an optional note and when
            // it was given. Added columns only: every existing turn keeps its row and reads as unrated.
            try db.execute(sql: """
                ALTER TABLE turns ADD COLUMN rating INTEGER CHECK (rating IN (1, -1));
                ALTER TABLE turns ADD COLUMN rating_note TEXT;
                ALTER TABLE turns ADD COLUMN rated_at REAL;
                CREATE INDEX turns_rated ON turns(rating) WHERE rating IS NOT NULL;
                """)
        }
        migrator.registerMigration("7 vectors for the parts of a long passage") { db in
            // A passage longer than the embedding model's input has a vector per part; it scores as its
            // best part. Existing vectors are part 0. The table is rebuilt for the new UNIQUE key, keeping
            // every id (the in-memory matrix reloads from the last id it saw).
            try db.execute(sql: """
                DROP TRIGGER chunks_vectors_ad;
                CREATE TABLE chunk_vectors_new (
                    id       INTEGER PRIMARY KEY AUTOINCREMENT,
                    chunk_id INTEGER NOT NULL,
                    model    TEXT NOT NULL,
                    dims     INTEGER NOT NULL,
                    part     INTEGER NOT NULL DEFAULT 0,
                    vector   BLOB NOT NULL,      -- dims little-endian Float32, unit length
                    UNIQUE (chunk_id, model, dims, part)
                );
                INSERT INTO chunk_vectors_new(id, chunk_id, model, dims, part, vector)
                    SELECT id, chunk_id, model, dims, 0, vector FROM chunk_vectors;
                DROP TABLE chunk_vectors;
                ALTER TABLE chunk_vectors_new RENAME TO chunk_vectors;
                CREATE INDEX chunk_vectors_model ON chunk_vectors(model, dims, id);
                CREATE TRIGGER chunks_vectors_ad AFTER DELETE ON chunks BEGIN
                    DELETE FROM chunk_vectors WHERE chunk_id = old.id;
                END;
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
