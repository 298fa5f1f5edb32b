import LoreCore
import Testing

@Suite struct ProseReflowTests {
    @Test("a hard-wrapped paragraph becomes one line; blank lines still part paragraphs")
    func joinsProse() {
        let text = """
            Turns on ranking by meaning. After the keyword index, lore index (and the UI's background
            refresh) sends every passage without a vector to an embedding server, in batches, and stores
            the vectors in the knowledge base's file.

            An interrupted run resumes where it stopped; changing the model embeds everything again.
            """
        #expect(ProseReflow.lines(text) == [
            "Turns on ranking by meaning. After the keyword index, lore index (and the UI's background refresh) "
                + "sends every passage without a vector to an embedding server, in batches, and stores the vectors "
                + "in the knowledge base's file.",
            "",
            "An interrupted run resumes where it stopped; changing the model embeds everything again.",
        ])
    }

    @Test("code, lists, headings, tables, quotes, reST literal blocks and directives keep their breaks")
    func keepsStructure() {
        let text = """
            The configuration lives in one file, read at start; an example of the table follows here::

                [embedding]
                base_url = "http://127.0.0.1:8080/v1"

            ```toml
            [model] provider = "openai" and then a long line of code that goes on and on and on
            name = "x"
            ```
            # A heading that is long enough to be joined if it were prose, but it is not
            - a list item that is long enough to be joined with what follows it
            - another item
            1. numbered item that is long enough to be joined with the next line
            2) another one
            > a quoted line that is long enough to be joined with the next one
            > and more quote
            | col | col | a table row long enough to be joined with the next one |
            | --- | --- |
            .. note:: a reST directive long enough to be joined with the next one
            """
        let lines = ProseReflow.lines(text)
        #expect(lines == text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
    }

    @Test("short lines are breaks the writer meant; a Markdown hard break and indentation stop a join")
    func shortLinesAndHardBreaks() {
        let address = "Lore Project\n12 Example Street\nSpringfield"
        #expect(ProseReflow.lines(address) == ["Lore Project", "12 Example Street", "Springfield"])
        let hard = "This line ends with two spaces for a hard break in Markdown  \nso this starts a new line"
        #expect(ProseReflow.lines(hard).count == 2)
        let indented = "A sentence that is long enough to be joined with its next line if it could\n    indented code\n"
        #expect(ProseReflow.lines(indented) == ["A sentence that is long enough to be joined with its next line if it could",
                                                "    indented code", ""])
        #expect(ProseReflow.lines("") == [""])
    }
}
