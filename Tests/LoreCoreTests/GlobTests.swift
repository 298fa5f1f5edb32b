import Testing
@testable import LoreCore

@Suite("Glob")
struct GlobTests {
    @Test("star stays within one component")
    func starWithinComponent() {
        let glob = Glob("docs/*.md")
        #expect(glob.matches("docs/a.md"))
        #expect(glob.matches("docs/.md"))
        #expect(!glob.matches("docs/sub/a.md"))
        #expect(!glob.matches("docs/a.mdx"))
        #expect(Glob("a*b*c").matches("axxbyyc"))
        #expect(!Glob("a*b*c").matches("axxbyy"))
        #expect(Glob("*").matches("anything"))
        #expect(!Glob("*").matches("a/b"))
    }

    @Test("globstar spans any depth, zero included")
    func globstar() {
        let md = Glob("**/*.md")
        #expect(md.matches("a.md"))
        #expect(md.matches("x/y/z/a.md"))
        #expect(!md.matches("x/y/a.txt"))
        let middle = Glob("a/**/b")
        #expect(middle.matches("a/b"))
        #expect(middle.matches("a/x/b"))
        #expect(middle.matches("a/x/y/b"))
        #expect(!middle.matches("a/x/y/c"))
        #expect(!middle.matches("b"))
    }

    @Test("a trailing globstar is what is inside, not the folder itself")
    func trailingGlobstar() {
        let docs = Glob("docs/**")
        #expect(docs.matches("docs/a"))
        #expect(docs.matches("docs/a/b/c.md"))
        #expect(!docs.matches("docs"))
        #expect(!docs.matches("other/a"))
    }

    @Test("double star inside a component is a plain star")
    func starStarInsideComponent() {
        #expect(Glob("a**b").matches("axyzb"))
        #expect(!Glob("a**b").matches("ax/yb"))
    }

    @Test("question mark is one character, never a slash")
    func questionMark() {
        #expect(Glob("?.md").matches("a.md"))
        #expect(Glob("?.md").matches("é.md"))
        #expect(!Glob("?.md").matches("ab.md"))
        #expect(!Glob("a?b").matches("a/b"))
    }

    @Test("character classes: sets, ranges, negation, POSIX names")
    func classes() {
        #expect(Glob("[abc].txt").matches("b.txt"))
        #expect(!Glob("[abc].txt").matches("d.txt"))
        #expect(Glob("file[0-9].md").matches("file7.md"))
        #expect(!Glob("file[0-9].md").matches("filex.md"))
        #expect(Glob("[!x]y").matches("ay"))
        #expect(!Glob("[!x]y").matches("xy"))
        #expect(!Glob("[^x]y").matches("xy"))
        #expect(Glob("[]a]").matches("]"))
        #expect(Glob("[a-]").matches("-"))
        #expect(Glob("v[[:digit:]]").matches("v3"))
        #expect(!Glob("v[[:digit:]]").matches("vx"))
        #expect(Glob("[[:upper:]]*").matches("README"))
        #expect(!Glob("[!a]").matches("/"))
    }

    @Test("an unclosed bracket is a literal")
    func unclosedBracket() {
        #expect(Glob("a[b").matches("a[b"))
        #expect(!Glob("a[b").matches("ab"))
    }

    @Test("escapes make special characters literal")
    func escapes() {
        #expect(Glob("\\*.md").matches("*.md"))
        #expect(!Glob("\\*.md").matches("a.md"))
        #expect(Glob("what\\?").matches("what?"))
        #expect(!Glob("what\\?").matches("whatx"))
        #expect(Glob("\\[x]").matches("[x]"))
        #expect(Glob("a\\").matches("a\\"))
    }

    @Test("leading slash anchors, trailing slash limits to folders")
    func slashes() {
        #expect(Glob("/docs/a.md").matches("docs/a.md"))
        let dir = Glob("build/")
        #expect(dir.directoryOnly)
        #expect(dir.matches("build", isDirectory: true))
        #expect(!dir.matches("build", isDirectory: false))
        #expect(Glob("a//b").matches("a/b"))
    }

    @Test("many stars do not blow up")
    func pathologicalStars() {
        let glob = Glob(String(repeating: "*a", count: 30) + "b")
        #expect(!glob.matches(String(repeating: "a", count: 200)))
        let deep = Glob(Array(repeating: "**", count: 20).joined(separator: "/") + "/x")
        #expect(!deep.matches(Array(repeating: "d", count: 100).joined(separator: "/")))
        #expect(deep.matches(Array(repeating: "d", count: 100).joined(separator: "/") + "/x"))
    }

    @Test("filters: a bare pattern matches names at any depth, a slashed one is anchored")
    func pathFilter() {
        let filter = PathFilter(include: ["*.md", "guides/*.txt"], exclude: ["drafts", "/private/**", "*.tmp.md"])
        #expect(filter.allows("a.md", isDirectory: false))
        #expect(filter.allows("deep/er/a.md", isDirectory: false))
        #expect(filter.allows("guides/x.txt", isDirectory: false))
        #expect(!filter.allows("other/guides/x.txt", isDirectory: false))
        #expect(!filter.allows("notes.txt", isDirectory: false))
        #expect(!filter.allows("x/drafts", isDirectory: true))
        #expect(!filter.allows("drafts", isDirectory: true))
        #expect(filter.allows("private", isDirectory: true))
        #expect(!filter.allows("private/a.md", isDirectory: false))
        #expect(!filter.allows("a/b.tmp.md", isDirectory: false))
        #expect(filter.allows("guides", isDirectory: true))
    }

    @Test("no includes means everything is included")
    func emptyInclude() {
        let filter = PathFilter(include: [], exclude: ["node_modules/"])
        #expect(filter.allows("x/y.md", isDirectory: false))
        #expect(!filter.allows("a/node_modules", isDirectory: true))
        #expect(filter.allows("a/node_modules", isDirectory: false))
    }
}
