import Foundation
import LoreCore

/// E-books (EPUB 2 and 3): the chapters in spine order, each through the HTML loader, one after another in
/// one rendered text. Every chapter opens with its title as a level-1 heading, so each passage's heading
/// path starts with the chapter it is in: the title the book's table of contents gives the chapter (EPUB 3
/// navigation document or EPUB 2 NCX), else the chapter's first heading, else its file name.
enum EPUBLoader {
    static func load(_ bytes: UnsafeRawBufferPointer, path: String) -> BinaryLoadResult {
        let zip: ZipContainer
        switch ZipContainer.open(bytes) {
        case .success(let opened): zip = opened
        case .failure(let reason): return .skipped(reason)
        }
        let package: Package
        switch Package.read(zip) {
        case .success(let read): package = read
        case .failure(let reason): return .skipped(reason)
        }
        let tocTitles = tableOfContents(package, zip)
        var rendered = RenderedText()
        var firstChapterTitle: String?
        for item in package.spine where item.isXHTML && !item.isNavigation {
            let text: String
            switch zip.read(item.path) {
            case .success(let bytes):
                // A chapter that is missing or not UTF-8 costs only itself, not the book.
                guard case .success(let decoded) = TextDecoding.decode(bytes) else { continue }
                text = decoded
            case .failure(.tooLarge):
                return .skipped(.unsafeArchive)
            case .failure:
                continue
            }
            let chapter = HTMLLoader.load(text)
            let fileName = item.path.split(separator: "/").last.map(String.init) ?? item.path
            let firstHeading = chapter.blocks.first { if case .heading = $0.kind { true } else { false } }
            let title = tocTitles[item.path] ?? firstHeading.map { RenderedText.oneLine($0.text) } ?? fileName
            if firstChapterTitle == nil { firstChapterTitle = title }
            add(chapter.blocks, titled: title, to: &rendered)
        }
        return .loaded(rendered.document(title: package.title ?? firstChapterTitle, format: .epub))
    }

    /// A chapter's blocks under its title. When the chapter already opens with that title as its top
    /// heading, that heading is the chapter's level-1 heading; otherwise the title is added above it and
    /// the chapter's own headings move one level down, so the path reads "chapter › section".
    private static func add(_ blocks: [Block], titled title: String, to rendered: inout RenderedText) {
        let levels = blocks.compactMap { if case .heading(let level) = $0.kind { level } else { nil } }
        let top = levels.min() ?? 1
        let shift: Int
        if let first = blocks.first, case .heading(let level) = first.kind, level == top,
           RenderedText.oneLine(first.text).lowercased() == title.lowercased() {
            shift = 1 - top
        } else {
            rendered.add(.heading(level: 1), title)
            shift = 2 - top
        }
        for block in blocks {
            if case .heading(let level) = block.kind {
                rendered.add(.heading(level: level + shift), block.text)
            } else {
                rendered.add(block.kind, block.text)
            }
        }
    }

    /// Chapter path → the title of its first entry in the table of contents.
    private static func tableOfContents(_ package: Package, _ zip: ZipContainer) -> [String: String] {
        var titles: [String: String] = [:]
        func note(_ href: String?, _ title: String, relativeTo base: String) {
            let text = RenderedText.oneLine(title)
            guard let href, !text.isEmpty, let target = resolve(href, relativeTo: base) else { return }
            if titles[target] == nil { titles[target] = text }
        }
        if let nav = package.navigation, let part = (try? zip.read(nav).get()).flatMap(XMLPart.init) {
            _ = part.withRoot { root -> Void? in
                // The `toc` nav; books also carry `landmarks` and `page-list` navs, which are not chapter titles.
                var navs: [XMLNodePtr] = []
                root.walkDescendants { node in
                    guard node.isElement else { return false }
                    if node.localName == "nav" { navs.append(node); return false }
                    return true
                }
                let toc = navs.first { ($0.attribute("type", in: XMLNamespace.epubOps) ?? "").split(separator: " ").contains("toc") }
                    ?? navs.first
                toc?.walkDescendants { node in
                    guard node.isElement else { return false }
                    if node.localName == "a" {
                        note(node.attribute("href"), node.textContent, relativeTo: nav)
                        return false
                    }
                    return true
                }
                return nil
            }
            if !titles.isEmpty { return titles }
        }
        if let ncx = package.ncx, let part = (try? zip.read(ncx).get()).flatMap(XMLPart.init) {
            _ = part.withRoot { root -> Void? in
                root.walkDescendants { node in
                    guard node.isElement else { return false }
                    if node.localName == "navPoint" {
                        let label = node.elementChildren.first { $0.localName == "navLabel" }?
                            .elementChildren.first { $0.localName == "text" }?.textContent ?? ""
                        let src = node.elementChildren.first { $0.localName == "content" }?.attribute("src")
                        note(src, label, relativeTo: ncx)
                    }
                    // Nested navPoints are sections of the chapter above them, seen after it.
                    return node.localName == "navMap" || node.localName == "navPoint"
                }
                return nil
            }
        }
        return titles
    }

    /// A link or manifest href as an archive path: relative to the part it appears in, percent-escapes
    /// undone, fragment dropped. Nil for links that leave the book (other schemes, or above its root).
    static func resolve(_ href: String, relativeTo part: String) -> String? {
        var reference = Substring(href)
        if let hash = reference.firstIndex(of: "#") { reference = reference[..<hash] }
        guard !reference.isEmpty, !reference.contains(":"),
              let decoded = String(reference).removingPercentEncoding else { return nil }
        var components = decoded.hasPrefix("/") ? [] : part.split(separator: "/").dropLast().map(String.init)
        for component in decoded.split(separator: "/") {
            switch component {
            case ".": continue
            case "..":
                guard !components.isEmpty else { return nil }
                components.removeLast()
            default: components.append(String(component))
            }
        }
        return components.isEmpty ? nil : components.joined(separator: "/")
    }

    /// What the OPF package document says: the title, the spine, where the table of contents is.
    private struct Package {
        struct Item {
            var path: String
            var mediaType: String
            var isNavigation: Bool
            var isXHTML: Bool { mediaType == "application/xhtml+xml" || mediaType == "text/html" }
        }

        var title: String?
        var spine: [Item] = []
        var navigation: String?
        var ncx: String?

        static func read(_ zip: ZipContainer) -> Result<Package, SkipReason> {
            let container: XMLPart
            switch zip.read("META-INF/container.xml") {
            case .success(let bytes):
                guard let part = XMLPart(bytes) else { return .failure(.damaged) }
                container = part
            case .failure(let failure):
                return .failure(failure.skipReason)
            }
            let opfPath: String? = container.withRoot { root in
                var rootfiles: [XMLNodePtr] = []
                root.walkDescendants { node in
                    guard node.isElement else { return false }
                    if node.localName == "rootfile" { rootfiles.append(node); return false }
                    return true
                }
                let rootfile = rootfiles.first { $0.attribute("media-type") == "application/oebps-package+xml" }
                    ?? rootfiles.first
                return rootfile?.attribute("full-path").flatMap { resolve($0, relativeTo: "") }
            }
            guard let opfPath else { return .failure(.damaged) }
            let opf: XMLPart
            switch zip.read(opfPath) {
            case .success(let bytes):
                guard let part = XMLPart(bytes) else { return .failure(.damaged) }
                opf = part
            case .failure(let failure):
                return .failure(failure.skipReason)
            }
            let read: Package? = opf.withRoot { root in
                var package = Package()
                var manifest: [String: Item] = [:]
                var spineIDs: [String] = []
                var tocID: String?
                for section in root.elementChildren {
                    switch section.localName {
                    case "metadata":
                        let title = section.firstDescendant { $0.isElement("title", in: XMLNamespace.dublinCore) }?
                            .textContent
                        package.title = title.map(RenderedText.oneLine).flatMap { $0.isEmpty ? nil : $0 }
                    case "manifest":
                        for item in section.elementChildren where item.localName == "item" {
                            guard let id = item.attribute("id"), let href = item.attribute("href"),
                                  let path = resolve(href, relativeTo: opfPath) else { continue }
                            let isNavigation = (item.attribute("properties") ?? "").split(separator: " ").contains("nav")
                            let entry = Item(path: path, mediaType: item.attribute("media-type") ?? "",
                                             isNavigation: isNavigation)
                            manifest[id] = entry
                            if isNavigation && package.navigation == nil { package.navigation = path }
                        }
                    case "spine":
                        tocID = section.attribute("toc")
                        spineIDs = section.elementChildren.filter { $0.localName == "itemref" }.compactMap { $0.attribute("idref") }
                    default:
                        continue
                    }
                }
                package.spine = spineIDs.compactMap { manifest[$0] }
                package.ncx = tocID.flatMap { manifest[$0]?.path }
                    ?? manifest.values.first { $0.mediaType == "application/x-dtbncx+xml" }?.path
                return package
            }
            guard let package = read else { return .failure(.damaged) }
            return .success(package)
        }
    }
}
