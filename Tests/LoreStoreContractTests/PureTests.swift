import Foundation
@testable import LoreCore
import LorePostgres
import Testing

/// Fast checks of the pieces the PostgreSQL store is built from, with no server.
@Suite("FTSQuery.tsquery")
struct TSQueryRenderingTests {
    @Test("words, prefixes and phrases become quoted lexemes joined with |")
    func shapes() {
        #expect(FTSQuery.tsquery("vacuum") == "'vacuum'")
        #expect(FTSQuery.tsquery("how do I vacuum a table") == "'vacuum' | 'table'")
        #expect(FTSQuery.tsquery("vacu*") == "'vacu':*")
        #expect(FTSQuery.tsquery("\"write ahead log\" tuning") == "('write' <-> 'ahead' <-> 'log') | 'tuning'")
        #expect(FTSQuery.tsquery("\"the\" vacuum") == "'the' | 'vacuum'")
        #expect(FTSQuery.tsquery("pg_dump") == "('pg' <-> 'dump')")
        #expect(FTSQuery.tsquery("pg_du*") == "'pg' <-> 'du':*")
        #expect(FTSQuery.tsquery("it's") == "('it' <-> 's')")
        #expect(FTSQuery.tsquery("Vacuum VACUUM vacuum") == "'Vacuum'")
    }

    @Test("nothing searchable gives nil")
    func nothing() {
        for text in ["", "   ", "\n\t", "!!! ??? ...", "\"\"", "*", ":", "()", "🎉🎉", "\\", "'", "&|!<->:*", "\u{0}"] {
            #expect(FTSQuery.tsquery(text) == nil, "\(text.debugDescription)")
        }
    }

    @Test("tsquery operators and quotes typed by a person stay inside lexemes")
    func operatorsStayInside() {
        // "a" is a stop word, and `d:*` is no prefix (the star follows the colon, not the word).
        #expect(FTSQuery.tsquery("a & b | !c <-> d:*") == "'b' | 'c' | 'd'")
        #expect(FTSQuery.tsquery("'; DROP TABLE lore_chunks; --") == "'DROP' | 'TABLE' | ('lore' <-> 'chunks')")
        #expect(FTSQuery.tsquery("x:A") == "('x' <-> 'A')")
    }

    @Test("a quote or backslash that reaches a lexeme is escaped")
    func escaping() {
        #expect(FTSQuery.lexeme("it's") == "'it''s'")
        #expect(FTSQuery.lexeme("a\\b") == "'a\\\\b'")
        #expect(FTSQuery.lexeme("'") == "''''")
    }

    @Test("every rendered query is lexemes and operators only, one clause per FTS5 clause")
    func grammar() throws {
        let lexeme = try Regex("'(?:[^'\\\\]|''|\\\\.)*'")
        for text in TSQueryServerTests.nastyInputs {
            let query = FTSQuery(text)
            guard let rendered = query.tsquery else {
                #expect(query.matchExpression == nil, "\(text.prefix(40).debugDescription)")
                continue
            }
            #expect(rendered.components(separatedBy: " | ").count == query.clauses.count,
                    "\(text.prefix(40).debugDescription)")
            let rest = rendered.replacing(lexeme, with: "")
            #expect(rest.allSatisfy { "()|<->:* ".contains($0) }, "\(text.prefix(40).debugDescription) → \(rest)")
            #expect(!rendered.contains("\u{0}"))
        }
    }
}

@Suite("PostgresLocation")
struct PostgresLocationTests {
    @Test("a full URL: user, host, port, database and parameters")
    func full() throws {
        let location = try PostgresLocation(parsing: "postgres://ana@db.example.com:5433/team_docs?sslmode=require")
        #expect(location.user == "ana")
        #expect(location.host == "db.example.com")
        #expect(location.port == 5433)
        #expect(location.database == "team_docs")
        #expect(location.parameters.map(\.key) == ["sslmode"])
        #expect(location.parameters.map(\.value) == ["require"])
        #expect(location.display == "postgres://ana@db.example.com:5433/team_docs")
        #expect(location.conninfo == "host='db.example.com' dbname='team_docs' user='ana' port='5433' sslmode='require' "
                + "connect_timeout='10' application_name='lore'")
        #expect(try PostgresLocation(parsing: location.display + "?sslmode=require") == location)
    }

    @Test("the short forms")
    func short() throws {
        let bare = try PostgresLocation(parsing: "postgresql://localhost/kb")
        #expect(bare.user == nil && bare.port == nil && bare.parameters.isEmpty)
        #expect(bare.display == "postgres://localhost/kb")
        #expect(bare.conninfo == "host='localhost' dbname='kb' connect_timeout='10' application_name='lore'")
        let own = try PostgresLocation(parsing: "postgres://h/kb?connect_timeout=3&application_name=mine")
        #expect(own.conninfo == "host='h' dbname='kb' connect_timeout='3' application_name='mine'")
        #expect(try PostgresLocation(parsing: "postgres://h/my%20kb").database == "my kb")
        #expect(PostgresLocation.looksLikeURL("postgres://x") && PostgresLocation.looksLikeURL("postgresql://x"))
        #expect(!PostgresLocation.looksLikeURL("/home/ana/kb.sqlite"))
    }

    @Test("conninfo quotes every value, so a quote or backslash cannot start another key")
    func quoting() throws {
        var location = try PostgresLocation(parsing: "postgres://ana@h/kb")
        location.database = "we'ird\\db' host='evil"
        location.user = "o'neil"
        #expect(location.conninfo == #"host='h' dbname='we\'ird\\db\' host=\'evil' user='o\'neil' "#
                + "connect_timeout='10' application_name='lore'")
        location.host = "::1"
        #expect(location.display == "postgres://o'neil@[::1]/we'ird\\db' host='evil")
    }

    @Test("a password in the URL is refused, and not repeated in the message")
    func password() {
        for text in ["postgres://ana:s3cret-pw@db.example.com/kb", "postgres://ana@db.example.com/kb?password=s3cret-pw",
                     "postgres://:s3cret-pw@db.example.com/kb"] {
            do {
                _ = try PostgresLocation(parsing: text)
                Issue.record("accepted \(text)")
            } catch let error as PostgresLocationError {
                #expect(error.message.contains("PGPASSWORD"), "\(text)")
                #expect(!error.message.contains("s3cret-pw"), "\(error.message)")
            } catch {
                Issue.record("\(error)")
            }
        }
    }

    @Test("what is not a usable URL says what to write")
    func malformed() {
        for text in ["mysql://ana:s3cret-pw@h/kb", "postgres:///kb", "postgres://h", "postgres://h/", "postgres://h/a/b",
                     "/home/ana/kb.sqlite", ""] {
            do {
                _ = try PostgresLocation(parsing: text)
                Issue.record("accepted \(text.debugDescription)")
            } catch let error as PostgresLocationError {
                #expect(error.message.contains("postgres://USER@HOST"), "\(text): \(error.message)")
                #expect(!error.message.contains("s3cret-pw"), "\(error.message)")
            } catch {
                Issue.record("\(error)")
            }
        }
    }

    @Test("redacted hides only the password")
    func redacted() {
        #expect(PostgresLocation.redacted("postgres://ana:pw@h:5432/kb") == "postgres://ana:***@h:5432/kb")
        #expect(PostgresLocation.redacted("postgres://ana@h:5432/kb") == "postgres://ana@h:5432/kb")
        #expect(PostgresLocation.redacted("postgres://h:5432/kb") == "postgres://h:5432/kb")
        #expect(PostgresLocation.redacted("not a url") == "not a url")
    }
}

@Suite("SharedPaths")
struct SharedPathsTests {
    private func roundTrip(_ paths: SharedPaths, _ path: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(paths.localPath(for: paths.key(for: path)) == path, sourceLocation: sourceLocation)
    }

    @Test("one root: keys are paths inside it, and map back")
    func oneRoot() {
        let ana = SharedPaths(roots: ["/home/ana/team-docs/"])
        #expect(ana.roots == ["/home/ana/team-docs"])
        #expect(ana.key(for: "/home/ana/team-docs/guide/setup.md") == "guide/setup.md")
        #expect(ana.key(for: "/home/ana/team-docs") == ".")
        #expect(ana.localPath(for: ".") == "/home/ana/team-docs")
        roundTrip(ana, "/home/ana/team-docs/guide/setup.md")
        roundTrip(ana, "/home/ana/team-docs/a b/ü 'q'.md")
        // Another machine mounts the same folder elsewhere and meets the same keys.
        let bo = SharedPaths(roots: ["/mnt/share/docs"])
        #expect(bo.localPath(for: ana.key(for: "/home/ana/team-docs/guide/setup.md")) == "/mnt/share/docs/guide/setup.md")
    }

    @Test("several roots: keys start with the root's own name")
    func severalRoots() {
        let paths = SharedPaths(roots: ["/home/ana/docs", "/srv/notes"])
        #expect(paths.key(for: "/home/ana/docs/guide/setup.md") == "docs/guide/setup.md")
        #expect(paths.key(for: "/srv/notes/todo.md") == "notes/todo.md")
        #expect(paths.key(for: "/srv/notes") == "notes")
        roundTrip(paths, "/home/ana/docs/guide/setup.md")
        roundTrip(paths, "/srv/notes/todo.md")
        roundTrip(paths, "/srv/notes")
        let other = SharedPaths(roots: ["/Volumes/work/docs", "/Users/bo/notes"])
        #expect(other.localPath(for: paths.key(for: "/srv/notes/todo.md")) == "/Users/bo/notes/todo.md")
    }

    @Test("a root that is one file")
    func fileRoot() {
        let single = SharedPaths(roots: ["/home/ana/handbook.md"])
        #expect(single.key(for: "/home/ana/handbook.md") == ".")
        roundTrip(single, "/home/ana/handbook.md")
        let mixed = SharedPaths(roots: ["/home/ana/docs", "/home/ana/handbook.md"])
        #expect(mixed.key(for: "/home/ana/handbook.md") == "handbook.md")
        roundTrip(mixed, "/home/ana/handbook.md")
        roundTrip(mixed, "/home/ana/docs/x.md")
    }

    @Test("a path outside every root keeps its absolute form, and a sibling with the same prefix is outside")
    func outside() {
        let paths = SharedPaths(roots: ["/home/ana/docs"])
        #expect(paths.key(for: "/etc/hosts") == "/etc/hosts")
        #expect(paths.key(for: "/home/ana/docs-old/x.md") == "/home/ana/docs-old/x.md")
        roundTrip(paths, "/etc/hosts")
        roundTrip(paths, "/home/ana/docs-old/x.md")
        let several = SharedPaths(roots: ["/a/docs", "/b/notes"])
        roundTrip(several, "/c/elsewhere.md")
        #expect(several.localPath(for: "unknown/x.md") == "unknown/x.md")
    }

    @Test("the file-system root as the one root")
    func slash() {
        let paths = SharedPaths(roots: ["/"])
        #expect(paths.key(for: "/etc/hosts") == "etc/hosts")
        roundTrip(paths, "/etc/hosts")
    }

    @Test("two roots with one name would share keys, and are named as clashing")
    func clashingNames() {
        let clash = SharedPaths(roots: ["/home/ana/docs/", "/srv/notes", "/mnt/old/docs"]).clashingNames
        #expect(clash.map(\.name) == ["docs"])
        #expect(clash.first?.roots == ["/home/ana/docs", "/mnt/old/docs"])
        #expect(SharedPaths(roots: ["/a/docs", "/b/notes"]).clashingNames.isEmpty)
        #expect(SharedPaths(roots: ["/a/docs"]).clashingNames.isEmpty)
    }
}

@Suite("HNSW candidate list by size")
struct EfSearchBySizeTests {
    @Test("grows with the store, never below 100 nor above pgvector's 1000")
    func steps() {
        let sizes = [0, 10_844, 49_999, 50_000, 249_999, 250_000, 600_000, 1_000_000, 1_499_999, 1_500_000, 50_000_000]
        let lengths = sizes.map { PostgresStore.efSearch(forVectors: $0) }
        #expect(lengths == [100, 100, 100, 200, 200, 400, 600, 600, 600, 1000, 1000])
        #expect(zip(lengths, lengths.dropFirst()).allSatisfy { $0 <= $1 })
    }
}
