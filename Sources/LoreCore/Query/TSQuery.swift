/// The PostgreSQL side of `FTSQuery`: the same clauses written as a `to_tsquery` argument, so that a shared
/// knowledge base on PostgreSQL matches what a SQLite one matches for the same typed text.
///
/// `websearch_to_tsquery` would join the words with AND, which loses every passage holding only some of
/// them; `FTSQuery` joins them with OR and lets the ranking prefer passages with more. Each token is written
/// as a quoted lexeme (`'word'`), so nothing a person types can be tsquery syntax: the tokens hold letters
/// and digits only (unicode61's cut), and a quote or backslash that could still reach here is escaped.
/// A prefix becomes `'word':*`, a phrase `'a' <-> 'b'`. PostgreSQL stems each lexeme with the text-search
/// configuration the query is given, and drops its own stop words.
extension FTSQuery {
    public var tsquery: String? {
        let parts = clauses.compactMap(Self.tsqueryClause)
        return parts.isEmpty ? nil : parts.joined(separator: " | ")
    }

    public static func tsquery(_ text: String) -> String? { FTSQuery(text).tsquery }

    static func tsqueryClause(_ clause: Clause) -> String? {
        switch clause {
        case .word(let w):
            return lexeme(w)
        case .prefix(let w):
            return lexeme(w) + ":*"
        case .phrase(let tokens, let prefix):
            guard !tokens.isEmpty else { return nil }
            let joined = tokens.map(lexeme).joined(separator: " <-> ")
            return prefix ? joined + ":*" : (tokens.count > 1 ? "(" + joined + ")" : joined)
        }
    }

    /// A tsquery quoted lexeme; inside one, `'` is doubled and `\` escaped.
    static func lexeme(_ token: String) -> String {
        "'" + token.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "''") + "'"
    }
}
