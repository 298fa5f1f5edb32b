import Testing
@testable import LoreCore

@Suite("Gitignore")
struct GitignoreTests {
    private func rules(_ text: String, at base: String = "") -> IgnoreRules {
        IgnoreRules([Gitignore(text: text, baseDirectory: base)])
    }

    @Test("blank lines and comments are not rules; an escaped hash is")
    func commentsAndBlanks() {
        let file = Gitignore(text: "\n# a comment\n   \n\\#hash.md\nplain.md\n")
        #expect(file.rules.count == 2)
        let r = IgnoreRules([file])
        #expect(r.isIgnored(relativePath: "#hash.md", isDirectory: false))
        #expect(r.isIgnored(relativePath: "plain.md", isDirectory: false))
        #expect(!r.isIgnored(relativePath: "a comment", isDirectory: false))
    }

    @Test("trailing spaces are trimmed unless escaped; CRLF lines work")
    func trailingSpaces() {
        let r = rules("notes.md   \r\nkeep\\ \r\n")
        #expect(r.isIgnored(relativePath: "notes.md", isDirectory: false))
        #expect(r.isIgnored(relativePath: "keep ", isDirectory: false))
        #expect(!r.isIgnored(relativePath: "keep", isDirectory: false))
    }

    @Test("negation re-includes; the last matching line wins")
    func negation() {
        let r = rules("*.md\n!README.md\n")
        #expect(r.isIgnored(relativePath: "a.md", isDirectory: false))
        #expect(!r.isIgnored(relativePath: "README.md", isDirectory: false))
        #expect(!r.isIgnored(relativePath: "sub/README.md", isDirectory: false))
        let reversed = rules("!README.md\n*.md\n")
        #expect(reversed.isIgnored(relativePath: "README.md", isDirectory: false))
    }

    @Test("an escaped bang is a literal file name")
    func escapedBang() {
        let r = rules("\\!important.md\n")
        #expect(r.isIgnored(relativePath: "!important.md", isDirectory: false))
        #expect(!r.isIgnored(relativePath: "important.md", isDirectory: false))
    }

    @Test("a bare name matches at any depth; a slash anchors to the file's folder")
    func anchoring() {
        let r = rules("tmp\n/root-only.md\ndocs/generated\n")
        #expect(r.isIgnored(relativePath: "tmp", isDirectory: true))
        #expect(r.isIgnored(relativePath: "a/b/tmp", isDirectory: false))
        #expect(r.isIgnored(relativePath: "root-only.md", isDirectory: false))
        #expect(!r.isIgnored(relativePath: "sub/root-only.md", isDirectory: false))
        #expect(r.isIgnored(relativePath: "docs/generated", isDirectory: true))
        #expect(!r.isIgnored(relativePath: "x/docs/generated", isDirectory: true))
    }

    @Test("a trailing slash matches folders only, and their contents through them")
    func directoryOnly() {
        let r = rules("build/\n")
        #expect(r.isIgnored(relativePath: "build", isDirectory: true))
        #expect(!r.isIgnored(relativePath: "build", isDirectory: false))
        #expect(r.isIgnored(relativePath: "build/out.md", isDirectory: false))
        #expect(r.isIgnored(relativePath: "a/build/out.md", isDirectory: false))
    }

    @Test("double-star forms")
    func doubleStar() {
        let r = rules("**/logs\nabc/**\na/**/b.md\n")
        #expect(r.isIgnored(relativePath: "logs", isDirectory: true))
        #expect(r.isIgnored(relativePath: "x/y/logs", isDirectory: true))
        #expect(r.isIgnored(relativePath: "abc/x.md", isDirectory: false))
        #expect(!r.isIgnored(relativePath: "abc", isDirectory: true))
        #expect(r.isIgnored(relativePath: "a/b.md", isDirectory: false))
        #expect(r.isIgnored(relativePath: "a/x/y/b.md", isDirectory: false))
    }

    @Test("contents/** then a negation re-includes one file, as in git")
    func reincludeInsideStarStar() {
        let r = rules("docs/**\n!docs/keep.md\n")
        #expect(r.isIgnored(relativePath: "docs/other.md", isDirectory: false))
        #expect(!r.isIgnored(relativePath: "docs/keep.md", isDirectory: false))
    }

    @Test("a negation cannot re-include a file whose folder is excluded")
    func parentExcluded() {
        let r = rules("private/\n!private/ok.md\n")
        #expect(r.isIgnored(relativePath: "private/ok.md", isDirectory: false))
        let r2 = rules("private\n!private/ok.md\n")
        #expect(r2.isIgnored(relativePath: "private/ok.md", isDirectory: false))
    }

    @Test("a deeper file overrides a shallower one, only below its own folder")
    func nestedOverride() {
        var stack = IgnoreRules()
        stack.push(Gitignore(text: "*.log\nsecret.md\n", baseDirectory: ""))
        stack.push(Gitignore(text: "!keep.log\n/local.md\n", baseDirectory: "sub"))
        #expect(stack.isIgnored(relativePath: "a.log", isDirectory: false))
        #expect(stack.isIgnored(relativePath: "keep.log", isDirectory: false))
        #expect(!stack.isIgnored(relativePath: "sub/keep.log", isDirectory: false))
        #expect(!stack.isIgnored(relativePath: "sub/deeper/keep.log", isDirectory: false))
        #expect(stack.isIgnored(relativePath: "sub/x.log", isDirectory: false))
        #expect(stack.isIgnored(relativePath: "sub/local.md", isDirectory: false))
        #expect(!stack.isIgnored(relativePath: "sub/deeper/local.md", isDirectory: false))
        #expect(!stack.isIgnored(relativePath: "local.md", isDirectory: false))
        #expect(stack.isIgnored(relativePath: "sub/secret.md", isDirectory: false))
        stack.pop()
        #expect(stack.isIgnored(relativePath: "sub/keep.log", isDirectory: false))
    }

    @Test("a path's own verdict is separate from its parents'")
    func leafDecision() {
        let r = rules("*.md\n!keep.md\n")
        #expect(r.decision(components: GlobPath("keep.md").components, isDirectory: false) == .included)
        #expect(r.decision(components: GlobPath("x.md").components, isDirectory: false) == .ignored)
        #expect(r.decision(components: GlobPath("x.txt").components, isDirectory: false) == nil)
    }

    @Test("ignore everything but folders and Markdown, a common idiom")
    func allowList() {
        let r = rules("*\n!*/\n!*.md\n")
        #expect(!r.isIgnored(relativePath: "docs", isDirectory: true))
        #expect(!r.isIgnored(relativePath: "docs/deep/a.md", isDirectory: false))
        #expect(r.isIgnored(relativePath: "docs/deep/a.txt", isDirectory: false))
        #expect(r.isIgnored(relativePath: "top.txt", isDirectory: false))
    }

    @Test("a lone bang or slash is not a rule")
    func degenerateLines() {
        let file = Gitignore(text: "!\n/\n\\\n")
        #expect(file.rules.count == 1)
        #expect(!IgnoreRules([file]).isIgnored(relativePath: "a", isDirectory: false))
    }
}
