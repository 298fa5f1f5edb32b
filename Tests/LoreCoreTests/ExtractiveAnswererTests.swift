import Foundation
import Testing
@testable import LoreCore

@Suite("ExtractiveAnswerer")
struct ExtractiveAnswererTests {
    typealias F = GroundingFixtures

    /// Passages in the manner of the PostgreSQL manual's maintenance and backup chapters, in the order a
    /// retriever might rank them for a question about disk space.
    static let manual: [Passage] = [
        F.passage(1, """
            PostgreSQL databases need periodic maintenance known as vacuuming. An UPDATE or DELETE does not
            remove the old version of a row at once; the old version stays in the table until a vacuum
            removes it. The standard form of VACUUM marks the space taken by dead row versions as free for
            reuse by later inserts into the same table, but it does not give that space back to the operating
            system. Plain VACUUM can run alongside ordinary reads and writes, since it takes no exclusive lock.
            """, title: "Routine Vacuuming", heading: ["Routine Database Maintenance", "Routine Vacuuming"],
            path: "maintenance.md", lines: 12...19),
        F.passage(2, """
            VACUUM FULL rewrites the entire table into a new disk file with no dead space, which returns the
            disk space it frees to the operating system. It needs an ACCESS EXCLUSIVE lock on the table while it
            runs, so nothing else can read or write the table in the meantime. It also needs extra disk space
            for the new copy of the table until the rewrite is complete.

            ```sql
            VACUUM FULL VERBOSE orders;
            ```
            """, title: "VACUUM", heading: ["SQL Commands", "VACUUM"], path: "ref/vacuum.md", lines: 40...52),
        F.passage(3, """
            Each table has a primary heap file where most of its data is stored. You can monitor usage with
            the pg_relation_size and pg_total_relation_size functions, e.g. from psql. If the file system fills
            up, the server may stop accepting writes until room is freed.

            | Function | Returns |
            | --- | --- |
            | pg_relation_size | bytes used by one fork |
            """, title: "Determining Disk Usage", heading: ["Monitoring", "Disk Usage"], path: "diskusage.md",
            lines: 1...14),
        F.passage(4, """
            The autovacuum daemon automates the execution of VACUUM and ANALYZE commands. It is enabled by
            default and checks each table for large numbers of inserted, updated or deleted rows. The
            autovacuum_naptime setting controls how long the launcher sleeps between runs (the default is one
            minute).
            """, title: "The Autovacuum Daemon", path: "maintenance.md", lines: 60...66),
        F.passage(5, """
            ## pg_dump

            pg_dump writes a consistent snapshot of one database to a script or archive file. It does not
            block other users of the database while it runs. To restore a plain-text dump, feed the file to
            psql; archive formats are restored with pg_restore.

                $ pg_dump -Fc mydb > db.dump
            """, title: "SQL Dump", path: "backup.md", lines: 5...15),
        F.passage(6, "", title: "Empty", path: "empty.md"),
    ]

    static let vacuumFull = "VACUUM FULL rewrites the entire table into a new disk file with no dead space, which "
        + "returns the disk space it frees to the operating system."

    @Test("how do I get disk space back? — quotes the VACUUM FULL sentence and cites it")
    func diskSpace() {
        let answer = ExtractiveAnswerer.answer(question: "how do I get disk space back?", passages: Self.manual)
        #expect(answer.sentences.contains(ExtractedSentence(sourceNumber: 2, text: Self.vacuumFull)))
        #expect(answer.text.contains(String(Self.vacuumFull.dropLast()) + " [2]."))
        #expect(answer.usedSources.contains(2))
        #expect(!answer.usedSources.contains(5))
        #expect(answer.sentences.count <= 5)
        // Every cited number is a real source, and only the listed sources are cited.
        let check = CitationCheck(text: answer.text, sourceCount: Self.manual.count)
        #expect(check.isClean)
        #expect(check.cited == Set(answer.usedSources))
        // Nothing from code, tables or headings.
        for bad in ["VERBOSE orders", "| ", "## ", "$ pg_dump", "bytes used by one fork"] {
            #expect(!answer.text.contains(bad), "\(bad)")
        }
    }

    @Test("sentences appear grouped by source in rank order, in document order within a source")
    func order() {
        let answer = ExtractiveAnswerer.answer(question: "Is VACUUM blocking writes?",
                                               passages: Self.manual)
        let keys = answer.sentences.map { sentence -> (Int, Int) in
            let passage = Self.manual[sentence.sourceNumber - 1].text.replacingOccurrences(of: "\n", with: " ")
            let position = passage.range(of: sentence.text).map { passage.distance(from: passage.startIndex, to: $0.lowerBound) }
            return (sentence.sourceNumber, position ?? -1)
        }
        #expect(keys.count >= 4)
        #expect(Set(keys.map(\.0)).count >= 2)
        #expect(keys.allSatisfy { $0.1 >= 0 })
        #expect(zip(keys, keys.dropFirst()).allSatisfy { $0 < $1 })
        #expect(answer.usedSources == Array(Set(answer.sentences.map(\.sourceNumber))).sorted())
        // One paragraph per source.
        #expect(answer.text.components(separatedBy: "\n\n").count == answer.usedSources.count)
    }

    @Test("the answer to a narrow question names the right passage first")
    func narrow() {
        let answer = ExtractiveAnswerer.answer(question: "How do I restore a dump made by pg_dump?",
                                               passages: Self.manual)
        #expect(answer.sentences.contains(ExtractedSentence(sourceNumber: 5, text:
            "To restore a plain-text dump, feed the file to psql; archive formats are restored with pg_restore.")))
        #expect(answer.text.contains("restored with pg_restore [5]."))
    }

    @Test("when nothing matches, the knowledge base does not say, citing nothing")
    func notCovered() {
        for (question, passages) in [("How do I configure Kerberos?", Self.manual), ("disk space", []),
                                     ("disk space", [F.passage(1, ""), F.passage(2, "   \n\n")]),
                                     ("", Self.manual), ("how is it?", Self.manual),
                                     ("disk", [F.passage(1, "disk")])] {
            let answer = ExtractiveAnswerer.answer(question: question, passages: passages)
            #expect(answer == ExtractiveAnswer(text: "The knowledge base does not say.", sentences: [], usedSources: []),
                    "\(question)")
        }
        #expect(ExtractiveAnswerer.answer(question: "disk space", passages: Self.manual, maxSentences: 0).sentences.isEmpty)
    }

    @Test("a sentence repeating one already picked is skipped")
    func redundancy() {
        let passages = [
            F.passage(1, "VACUUM FULL returns disk space to the operating system."),
            F.passage(2, "VACUUM FULL returns the disk space to the operating system quickly."),
            F.passage(3, "TRUNCATE also frees disk space at once for the whole table."),
        ]
        let answer = ExtractiveAnswerer.answer(question: "free disk space", passages: passages)
        #expect(answer.usedSources == [1, 3])
        #expect(answer.text == """
            VACUUM FULL returns disk space to the operating system [1].

            TRUNCATE also frees disk space at once for the whole table [3].
            """)
    }

    @Test("BM25 over the candidates: a rare question word outweighs a common one")
    func idf() {
        // "table" is in every sentence, "checkpoint" in one: the checkpoint sentence wins even from the last
        // passage, and the best sentence sets the floor that keeps the weak ones out.
        let passages = [
            F.passage(1, "Every table has a heap file on disk."),
            F.passage(2, "A table can have many indexes attached."),
            F.passage(3, "A checkpoint flushes each dirty table page to disk."),
        ]
        let answer = ExtractiveAnswerer.answer(question: "checkpoint table", passages: passages, maxSentences: 1)
        #expect(answer.sentences == [ExtractedSentence(sourceNumber: 3,
                                                       text: "A checkpoint flushes each dirty table page to disk.")])
        #expect(answer.usedSources == [3])
    }

    @Test("footnote markers copied from a document do not become citations of other sources")
    func footnotes() {
        let answer = ExtractiveAnswerer.answer(question: "vacuum disk space",
                                               passages: [F.passage(1, "VACUUM reclaims disk space [3] in place.")])
        #expect(answer.text == "VACUUM reclaims disk space in place [1].")
    }

    @Test("citations go before the final stop, except after an abbreviation")
    func citedPlacement() {
        #expect(ExtractiveAnswerer.cited("It frees space.", 2) == "It frees space [2].")
        #expect(ExtractiveAnswerer.cited("Stop now!", 1) == "Stop now [1]!")
        #expect(ExtractiveAnswerer.cited("Logs, sockets, etc.", 3) == "Logs, sockets, etc. [3]")
        #expect(ExtractiveAnswerer.cited("A list item", 4) == "A list item [4]")
        #expect(ExtractiveAnswerer.cited("Wait...", 5) == "Wait... [5]")
    }

    @Test("what can be quoted on its own")
    func quotable() {
        #expect(ExtractiveAnswerer.isQuotable("VACUUM frees the space.", fromListItem: false))
        #expect(ExtractiveAnswerer.isQuotable("Frees space for later rows", fromListItem: true))
        #expect(!ExtractiveAnswerer.isQuotable("Frees space for later rows", fromListItem: false))
        #expect(!ExtractiveAnswerer.isQuotable("Too short.", fromListItem: false))
        #expect(!ExtractiveAnswerer.isQuotable("How do I free disk space?", fromListItem: false))
        #expect(!ExtractiveAnswerer.isQuotable("Run the following command to free space:", fromListItem: false))
        #expect(!ExtractiveAnswerer.isQuotable("x = f(a_b); y = g(c_d); z = h(e_f).", fromListItem: false))
        #expect(!ExtractiveAnswerer.isQuotable("1 2 3 4 5 6 7.", fromListItem: false))
    }
}

@Suite("ExtractiveAnswerer scoring")
struct ExtractiveScoringTests {
    @Test("scores computed by hand")
    func handComputed() {
        // Two sentences of four content words each, so length normalisation is 1 and a single occurrence
        // scores tf·(k1+1)/(tf+k1) = 2.2/2.2 = 1. N = 2; "alpha" is in both (idf ln(1+2/2) = ln 2), "zeta" in one
        // (idf ln(1+2/1) = ln 3).
        // Sentence 1 (rank 0): ln 2, one of two terms (coverage ×1), rank ×1.25.
        // Sentence 2 (rank 1): ln 2 + ln 3, both terms (coverage ×1.5), rank ×1.125.
        let scored = ExtractiveAnswerer.scoredSentences(question: "alpha zeta", passages: [
            GroundingFixtures.passage(1, "Alpha beta gamma delta."),
            GroundingFixtures.passage(2, "Alpha epsilon zeta eta."),
        ])
        #expect(scored.map(\.sourceNumber) == [1, 2])
        #expect(abs(scored[0].score - 1.25 * log(2.0)) < 1e-9)
        #expect(abs(scored[1].score - 1.5 * 1.125 * (log(2.0) + log(3.0))) < 1e-9)
    }

    @Test("a sentence with none of the question's words scores zero")
    func zero() {
        let scored = ExtractiveAnswerer.scoredSentences(question: "zeta", passages: [
            GroundingFixtures.passage(1, "Alpha beta gamma delta."),
            GroundingFixtures.passage(2, "Alpha epsilon zeta eta."),
        ])
        #expect(scored.map(\.score).first == 0)
        #expect(scored.count == 2)
    }
}

@Suite("extractive: definitions that introduce a formula") struct ExtractiveColonTests {
    @Test func aLongSentenceEndingInAColonIsQuotedWithAFullStop() {
        let passage = Passage(id: 1, documentPath: "/kb/ranking.html", title: "Ranking", headingPath: ["Hybrid ranking"],
                              lineStart: 1, lineEnd: 5, text: """
            Reciprocal rank fusion (RRF) sidesteps this by using only each passage's rank in each list:

            RRF score(d) = Σ 1 / (k + rank(d))
            """, score: 1)
        let answer = ExtractiveAnswerer.answer(question: "what is reciprocal rank fusion?", passages: [passage])
        #expect(answer.text == "Reciprocal rank fusion (RRF) sidesteps this by using only each passage's rank in each list [1].")
    }

    @Test func aShortLeadInIsNotQuoted() {
        let passage = Passage(id: 1, documentPath: "/kb/a.md", title: "A", headingPath: [], lineStart: 1, lineEnd: 3,
                              text: "Fusion examples:\n\n- one\n", score: 1)
        #expect(ExtractiveAnswerer.answer(question: "fusion examples", passages: [passage]).usedSources.isEmpty)
    }
}
