import Foundation
import GRDB
import LoreCore

/// A question and its answer as saved, with the sources exactly as they were shown: the record that was
/// written, and where it lives. Its fields read as the record's (`turn.answer`), and it encodes flat.
@dynamicMemberLookup
public struct SavedTurn: Sendable, Equatable, Codable {
    public var id: Int64
    public var conversationID: Int64
    public var record: TurnRecord
    /// 1-based position in its conversation, as `lore rate` and `lore show` number turns.
    public var number: Int
    /// The person's verdict, if they gave one (`+` / `-` in the UI, `lore rate`).
    public var rating: TurnRating?
    public var ratingNote: String?

    public init(id: Int64, conversationID: Int64, record: TurnRecord, number: Int = 0, rating: TurnRating? = nil,
                ratingNote: String? = nil) {
        self.id = id
        self.conversationID = conversationID
        self.record = record
        self.number = number
        self.rating = rating
        self.ratingNote = ratingNote
    }

    public subscript<Value>(dynamicMember field: KeyPath<TurnRecord, Value>) -> Value { record[keyPath: field] }

    enum Place: String, CodingKey { case id, conversationID, number, rating, ratingNote }

    public init(from decoder: any Decoder) throws {
        let place = try decoder.container(keyedBy: Place.self)
        id = try place.decode(Int64.self, forKey: .id)
        conversationID = try place.decode(Int64.self, forKey: .conversationID)
        number = try place.decodeIfPresent(Int.self, forKey: .number) ?? 0
        rating = try place.decodeIfPresent(TurnRating.self, forKey: .rating)
        ratingNote = try place.decodeIfPresent(String.self, forKey: .ratingNote)
        record = try TurnRecord(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        var place = encoder.container(keyedBy: Place.self)
        try place.encode(id, forKey: .id)
        try place.encode(conversationID, forKey: .conversationID)
        try place.encode(number, forKey: .number)
        try place.encodeIfPresent(rating, forKey: .rating)
        try place.encodeIfPresent(ratingNote, forKey: .ratingNote)
        try record.encode(to: encoder)
    }
}

public struct SavedSource: Sendable, Equatable, Codable {
    public var number: Int
    public var passage: Passage
    public var cited: Bool

    public init(number: Int, passage: Passage, cited: Bool) {
        self.number = number
        self.passage = passage
        self.cited = cited
    }
}

public struct ConversationSummary: Sendable, Equatable, Codable {
    public var id: Int64
    public var title: String
    public var createdAt: Date
    public var updatedAt: Date
    public var turns: Int
    /// Turns rated good and bad.
    public var good: Int = 0
    public var bad: Int = 0
}

/// What a finished turn carries into the store.
public struct TurnRecord: Sendable, Equatable, Codable {
    public var question: String
    public var answer: String
    public var reasoning: String
    public var model: String
    public var mode: String
    public var state: String
    public var error: String?
    public var askedAt: Date
    public var retrievalMilliseconds: Double?
    public var firstTokenMilliseconds: Double?
    public var totalMilliseconds: Double?
    public var promptTokens: Int?
    public var completionTokens: Int?
    public var sources: [SavedSource]

    public init(question: String, answer: String, reasoning: String, model: String, mode: String, state: String,
                error: String?, askedAt: Date, retrievalMilliseconds: Double?, firstTokenMilliseconds: Double?,
                totalMilliseconds: Double?, promptTokens: Int?, completionTokens: Int?, sources: [SavedSource]) {
        self.question = question
        self.answer = answer
        self.reasoning = reasoning
        self.model = model
        self.mode = mode
        self.state = state
        self.error = error
        self.askedAt = askedAt
        self.retrievalMilliseconds = retrievalMilliseconds
        self.firstTokenMilliseconds = firstTokenMilliseconds
        self.totalMilliseconds = totalMilliseconds
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.sources = sources
    }
}

extension KnowledgeBaseStore {
    /// Starts a conversation titled after its first question.
    public func createConversation(title: String) throws -> Int64 {
        try pool.write { db in
            let now = Date().timeIntervalSince1970
            try db.execute(sql: "INSERT INTO conversations(title, created_at, updated_at) VALUES (?, ?, ?)",
                           arguments: [String(title.prefix(120)), now, now])
            return db.lastInsertedRowID
        }
    }

    @discardableResult
    public func saveTurn(_ turn: TurnRecord, conversationID: Int64) throws -> Int64 {
        try pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM conversations WHERE id = ?",
                                    arguments: [conversationID]) == true else {
                throw StoreError(path: path, message: "no conversation \(conversationID); see `lore history`")
            }
            let ordinal = try Int.fetchOne(db, sql: "SELECT count(*) FROM turns WHERE conversation_id = ?",
                                           arguments: [conversationID]) ?? 0
            try db.execute(sql: """
                INSERT INTO turns(conversation_id, ordinal, question, answer, reasoning, model, mode, state, error,
                    asked_at, retrieval_ms, first_token_ms, total_ms, prompt_tokens, completion_tokens)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [conversationID, ordinal, turn.question, turn.answer, turn.reasoning, turn.model,
                                 turn.mode, turn.state, turn.error, turn.askedAt.timeIntervalSince1970,
                                 turn.retrievalMilliseconds, turn.firstTokenMilliseconds, turn.totalMilliseconds,
                                 turn.promptTokens, turn.completionTokens])
            let turnID = db.lastInsertedRowID
            for source in turn.sources {
                let p = source.passage
                try db.execute(sql: """
                    INSERT INTO turn_sources(turn_id, number, chunk_id, document_path, title, headings,
                        line_start, line_end, body, score, cited, page_start, page_end)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [turnID, source.number, p.id, p.documentPath, p.title,
                                     p.headingPath.joined(separator: Schema.headingSeparator), p.lineStart, p.lineEnd,
                                     p.text, p.score, source.cited, p.pageStart, p.pageEnd])
            }
            try db.execute(sql: "UPDATE conversations SET updated_at = ? WHERE id = ?",
                           arguments: [Date().timeIntervalSince1970, conversationID])
            return turnID
        }
    }

    public func conversations(limit: Int = 50) throws -> [ConversationSummary] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT c.id, c.title, c.created_at, c.updated_at, count(t.id),
                    coalesce(sum(t.rating = 1), 0), coalesce(sum(t.rating = -1), 0)
                FROM conversations c LEFT JOIN turns t ON t.conversation_id = c.id
                GROUP BY c.id ORDER BY c.updated_at DESC, c.id DESC LIMIT ?
                """, arguments: [limit]).map {
                ConversationSummary(id: $0[0], title: $0[1], createdAt: Date(timeIntervalSince1970: $0[2]),
                                    updatedAt: Date(timeIntervalSince1970: $0[3]), turns: $0[4], good: $0[5], bad: $0[6])
            }
        }
    }

    public func conversation(id: Int64) throws -> (ConversationSummary, [SavedTurn])? {
        try pool.read { db in
            guard let head = try Row.fetchOne(db, sql: "SELECT id, title, created_at, updated_at FROM conversations WHERE id = ?",
                                              arguments: [id]) else { return nil }
            var turns: [SavedTurn] = []
            for row in try Row.fetchAll(db, sql: """
                SELECT id, question, answer, reasoning, model, mode, state, error, asked_at, retrieval_ms,
                    first_token_ms, total_ms, prompt_tokens, completion_tokens, rating, rating_note
                FROM turns WHERE conversation_id = ? ORDER BY ordinal
                """, arguments: [id]) {
                let turnID: Int64 = row[0]
                let sources = try Row.fetchAll(db, sql: """
                    SELECT number, chunk_id, document_path, title, headings, line_start, line_end, body, score, cited,
                        page_start, page_end
                    FROM turn_sources WHERE turn_id = ? ORDER BY number
                    """, arguments: [turnID]).map { s -> SavedSource in
                    let headings: String = s[4]
                    let passage = Passage(id: s[1] ?? 0, documentPath: s[2], title: s[3],
                                          headingPath: headings.isEmpty ? [] : headings.components(separatedBy: Schema.headingSeparator),
                                          lineStart: s[5], lineEnd: s[6], text: s[7], score: s[8],
                                          pageStart: s[10], pageEnd: s[11])
                    return SavedSource(number: s[0], passage: passage, cited: s[9])
                }
                let record = TurnRecord(question: row[1], answer: row[2], reasoning: row[3], model: row[4], mode: row[5],
                                        state: row[6], error: row[7], askedAt: Date(timeIntervalSince1970: row[8]),
                                        retrievalMilliseconds: row[9], firstTokenMilliseconds: row[10],
                                        totalMilliseconds: row[11], promptTokens: row[12], completionTokens: row[13],
                                        sources: sources)
                turns.append(SavedTurn(id: turnID, conversationID: id, record: record, number: turns.count + 1,
                                       rating: TurnRating(storedValue: row[14]), ratingNote: row[15]))
            }
            let summary = ConversationSummary(id: head[0], title: head[1], createdAt: Date(timeIntervalSince1970: head[2]),
                                              updatedAt: Date(timeIntervalSince1970: head[3]), turns: turns.count,
                                              good: turns.filter { $0.rating == .good }.count,
                                              bad: turns.filter { $0.rating == .bad }.count)
            return (summary, turns)
        }
    }
}

extension KnowledgeBaseStore {
    /// Sets or clears (nil) the rating of the turn with `turnID`. A note is kept with a rating and dropped
    /// with it; rating again without a note keeps the note given before.
    public func rateTurn(id turnID: Int64, _ rating: TurnRating?, note: String? = nil) throws {
        try pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM turns WHERE id = ?", arguments: [turnID]) == true else {
                throw StoreError(path: path, message: "no saved answer \(turnID); see `lore history`")
            }
            if let rating {
                try db.execute(sql: """
                    UPDATE turns SET rating = ?, rating_note = coalesce(?, rating_note), rated_at = ? WHERE id = ?
                    """, arguments: [rating.storedValue, note, Date().timeIntervalSince1970, turnID])
            } else {
                try db.execute(sql: "UPDATE turns SET rating = NULL, rating_note = NULL, rated_at = NULL WHERE id = ?",
                               arguments: [turnID])
            }
        }
    }

    /// The id of turn `number` (1-based, as `lore show` numbers them) of a conversation.
    public func turnID(conversationID: Int64, number: Int) throws -> Int64 {
        try pool.read { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM conversations WHERE id = ?",
                                    arguments: [conversationID]) == true else {
                throw StoreError(path: path, message: "no conversation \(conversationID); see `lore history`")
            }
            let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM turns WHERE conversation_id = ?",
                                         arguments: [conversationID]) ?? 0
            guard number >= 1, number <= count,
                  let id = try Int64.fetchOne(db, sql: """
                      SELECT id FROM turns WHERE conversation_id = ? ORDER BY ordinal LIMIT 1 OFFSET ?
                      """, arguments: [conversationID, number - 1]) else {
                throw StoreError(path: path, message: "conversation \(conversationID) has \(count) turn\(count == 1 ? "" : "s"); "
                                 + "give a number from 1 to \(count) (see `lore show \(conversationID)`)")
            }
            return id
        }
    }

    /// Every saved turn of every conversation, oldest first, for building a training set.
    public func allTurns() throws -> [SavedTurn] {
        let ids = try pool.read { db in try Int64.fetchAll(db, sql: "SELECT id FROM conversations ORDER BY id") }
        return try ids.flatMap { try conversation(id: $0)?.1 ?? [] }
    }
}
