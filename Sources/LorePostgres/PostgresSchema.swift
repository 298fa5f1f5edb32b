/// The tables of a shared knowledge base, versioned like the SQLite ones: `lore_schema` holds the
/// version reached, and each step runs once, in its own transaction, under an advisory lock so that two
/// machines opening a new database at once do not both apply it.
///
/// One knowledge base per database. Full text is a stored `tsvector` weighted by column (title A,
/// headings B, body D) under a GIN index; vectors are pgvector's `vector` when the extension is there
/// (HNSW indexes per model and size are made as vectors arrive), else `real[]` that Lore searches in
/// memory as it does for SQLite.
enum PostgresSchema {
    /// The lock every migration and the index-run turn are taken under, as two keys of one class.
    static let lockClass: Int32 = 0x4C4F5245  // "LORE"
    static let migrationLock: Int32 = 1
    static let indexRunLock: Int32 = 2

    /// The text-search configuration of the `tsvector` and of every query against it.
    static let textSearchConfig = "english"

    /// Column weights of `ts_rank` in its order {D, C, B, A}. Equal: every passage of a page shares its
    /// title, and ts_rank (which does not saturate as BM25 does) let a title word outweigh the body. Measured
    /// on the PostgreSQL docs set: 8:4:1 gave BM25 R@5 .087, 0.4/0.7/1 .412, equal .450 (SQLite FTS5 .388).
    static let rankWeights = "{1.0, 0, 1.0, 1.0}"

    static func migrations(vectorType: String) -> [String] {
        [
            """
            CREATE TABLE lore_meta (key text PRIMARY KEY, value text NOT NULL);
            CREATE TABLE lore_documents (
                id bigserial PRIMARY KEY,
                path text NOT NULL UNIQUE,
                size bigint NOT NULL,
                mtime_ns bigint NOT NULL,
                hash text NOT NULL,
                title text NOT NULL DEFAULT '',
                format text NOT NULL DEFAULT '',
                status text NOT NULL,
                skip_reason text,
                passages integer NOT NULL DEFAULT 0,
                indexed_at double precision NOT NULL
            );
            CREATE INDEX lore_documents_hash ON lore_documents(hash);
            CREATE TABLE lore_chunks (
                id bigserial PRIMARY KEY,
                document_id bigint NOT NULL REFERENCES lore_documents(id) ON DELETE CASCADE,
                ordinal integer NOT NULL,
                title text NOT NULL,
                headings text NOT NULL,
                body text NOT NULL,
                line_start integer NOT NULL,
                line_end integer NOT NULL,
                tokens integer NOT NULL,
                page_start integer,
                page_end integer,
                tsv tsvector GENERATED ALWAYS AS (
                    setweight(to_tsvector('\(textSearchConfig)', title), 'A') ||
                    setweight(to_tsvector('\(textSearchConfig)', headings), 'B') ||
                    setweight(to_tsvector('\(textSearchConfig)', body), 'D')) STORED
            );
            CREATE INDEX lore_chunks_document ON lore_chunks(document_id, ordinal);
            CREATE INDEX lore_chunks_tsv ON lore_chunks USING gin(tsv);
            CREATE TABLE lore_vectors (
                id bigserial PRIMARY KEY,
                chunk_id bigint NOT NULL REFERENCES lore_chunks(id) ON DELETE CASCADE,
                model text NOT NULL,
                dims integer NOT NULL,
                embedding \(vectorType) NOT NULL,
                UNIQUE (chunk_id, model, dims)
            );
            CREATE INDEX lore_vectors_model ON lore_vectors(model, dims, id);
            """,
            // 2: punctuation read as a space before parsing, as SQLite's unicode61 reads it, so that
            // `config.toml`, `127.0.0.1` or `docs/ranking.html` become the words FTSQuery's phrase asks for
            // instead of one host, file or version lexeme that no query can name.
            """
            ALTER TABLE lore_chunks DROP COLUMN tsv;
            ALTER TABLE lore_chunks ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
                setweight(to_tsvector('\(textSearchConfig)', \(words("title"))), 'A') ||
                setweight(to_tsvector('\(textSearchConfig)', \(words("headings"))), 'B') ||
                setweight(to_tsvector('\(textSearchConfig)', \(words("body"))), 'D')) STORED;
            CREATE INDEX lore_chunks_tsv ON lore_chunks USING gin(tsv);
            ANALYZE lore_chunks;
            """,
            // 3: a vector per part of a passage longer than the embedding model's input; existing ones are
            // part 0.
            """
            ALTER TABLE lore_vectors ADD COLUMN part integer NOT NULL DEFAULT 0;
            ALTER TABLE lore_vectors DROP CONSTRAINT lore_vectors_chunk_id_model_dims_key;
            ALTER TABLE lore_vectors ADD CONSTRAINT lore_vectors_passage_part UNIQUE (chunk_id, model, dims, part);
            """,
        ]
    }

    /// A text column with each run of punctuation replaced by a space (`[[:punct:]]` holds every ASCII
    /// punctuation mark whatever the database's locale, and Unicode ones where the locale knows them).
    static func words(_ column: String) -> String { "regexp_replace(\(column), '[[:punct:]]+', ' ', 'g')" }

    /// The columns every passage query reads, in `PostgresStore.passage(from:)`'s order.
    static let passageColumns = "c.id, d.path, c.title, c.headings, c.line_start, c.line_end, c.body, c.page_start, c.page_end"
}
