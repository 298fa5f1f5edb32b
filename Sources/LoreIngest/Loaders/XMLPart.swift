import CLibxml2

typealias XMLNodePtr = UnsafeMutablePointer<xmlNode>

/// One XML part of a zip-based document, parsed by libxml2 into a tree that lives as long as this value.
///
/// The parts come from files anyone can hand Lore, so the parser is set up against XML's own attacks: no
/// network access (`XML_PARSE_NONET`), no external DTD loaded, and entities never substituted into the text
/// (`XML_PARSE_NOENT` stays off), so neither an external entity (XXE) nor an exponential one ("billion
/// laughs") reaches the output. No recovery either: a part that is not well-formed XML means the file is
/// damaged, which is worth saying rather than indexing a guess.
final class XMLPart {
    private let doc: xmlDocPtr

    init?(_ bytes: [UInt8]) {
        guard !bytes.isEmpty, bytes.count < Int(Int32.max) else { return nil }
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)
        let parsed: xmlDocPtr? = bytes.withUnsafeBufferPointer { buf in
            buf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buf.count) {
                xmlReadMemory($0, Int32(buf.count), nil, nil, options)
            }
        }
        guard let parsed else { return nil }
        doc = parsed
    }

    deinit { xmlFreeDoc(doc) }

    /// Runs `body` on the root element. The nodes are freed with the tree, so none may escape `body`.
    func withRoot<R>(_ body: (XMLNodePtr) -> R?) -> R? {
        withExtendedLifetime(self) { xmlDocGetRootElement(doc).flatMap(body) }
    }
}

/// The namespaces the container formats use, by their URIs (prefixes vary between writers).
enum XMLNamespace {
    static let word: Set<String> = [
        "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
        "http://purl.oclc.org/ooxml/wordprocessingml/main",
    ]
    static let dublinCore = "http://purl.org/dc/elements/1.1/"
    static let odfText = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    static let odfTable = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    static let odfOffice = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    static let epubOps = "http://www.idpf.org/2007/ops"
}

extension UnsafeMutablePointer where Pointee == xmlNode {
    var isElement: Bool { pointee.type == XML_ELEMENT_NODE }

    /// The element's name without its prefix.
    var localName: String { pointee.name.map { String(cString: $0) } ?? "" }

    var namespaceURI: String? { pointee.ns?.pointee.href.map { String(cString: $0) } }

    func isElement(_ name: String, in namespace: String) -> Bool {
        isElement && localName == name && namespaceURI == namespace
    }

    func isElement(_ name: String, in namespaces: Set<String>) -> Bool {
        isElement && localName == name && namespaceURI.map(namespaces.contains) == true
    }

    /// The attribute of this local name, in `namespace` when one is given, else in any or none.
    func attribute(_ name: String, in namespace: String? = nil) -> String? {
        attribute(name) { namespace == nil || $0 == namespace }
    }

    func attribute(_ name: String, in namespaces: Set<String>) -> String? {
        attribute(name) { $0.map(namespaces.contains) == true }
    }

    private func attribute(_ name: String, namespaceMatches: (String?) -> Bool) -> String? {
        var attr = pointee.properties
        while let a = attr {
            defer { attr = a.pointee.next }
            guard let attrName = a.pointee.name, String(cString: attrName) == name,
                  namespaceMatches(a.pointee.ns?.pointee.href.map { String(cString: $0) }) else { continue }
            // An attribute's value is its text children; entity references (never substituted) add nothing.
            var value = ""
            var child = a.pointee.children
            while let c = child {
                if c.pointee.type == XML_TEXT_NODE, let content = c.pointee.content { value += String(cString: content) }
                child = c.pointee.next
            }
            return value
        }
        return nil
    }

    /// The element children in order.
    var elementChildren: [XMLNodePtr] {
        var children: [XMLNodePtr] = []
        var child = pointee.children
        while let c = child {
            if c.isElement { children.append(c) }
            child = c.pointee.next
        }
        return children
    }

    /// All text below this node, as written (no whitespace collapsing).
    var textContent: String {
        var text = ""
        walkDescendants { node in
            if node.pointee.type == XML_TEXT_NODE || node.pointee.type == XML_CDATA_SECTION_NODE,
               let content = node.pointee.content {
                text += String(cString: content)
            }
            return true
        }
        return text
    }

    /// The first element below this one (depth first) for which `matches` holds.
    func firstDescendant(where matches: (XMLNodePtr) -> Bool) -> XMLNodePtr? {
        var found: XMLNodePtr?
        walkDescendants { node in
            guard found == nil else { return false }
            if node.isElement && matches(node) { found = node; return false }
            return true
        }
        return found
    }

    /// Depth-first over the descendants in document order with a constant amount of Swift stack (hostile
    /// files nest elements tens of thousands deep): `enter` says whether to go into a node's children,
    /// `exit` is called when a node that was entered is left.
    func walkDescendants(enter: (XMLNodePtr) -> Bool, exit: (XMLNodePtr) -> Void = { _ in }) {
        // Only elements are gone into: an entity reference's children are the entity's declaration,
        // whose parents lead into the DTD and back round to the document, never to this node.
        walkXMLTree(from: pointee.children, boundary: UnsafeMutableRawPointer(self), descendsInto: \.isElement,
                    enter: enter, exit: exit)
    }
}

/// Depth-first over `first` and its following siblings and all their descendants, in document order, with a
/// constant amount of Swift stack, stopping where climbing back up reaches `boundary`: `enter` says whether
/// to go into a node's children (when `descendsInto` allows it for that kind of node), `exit` is called when
/// a node that was entered is left. The one tree walk of the HTML loader and the XML parts.
func walkXMLTree(from first: XMLNodePtr?, boundary: UnsafeMutableRawPointer, descendsInto: (XMLNodePtr) -> Bool,
                 enter: (XMLNodePtr) -> Bool, exit: (XMLNodePtr) -> Void) {
    var node = first
    while let n = node {
        let entered = enter(n)
        if entered, descendsInto(n), let child = n.pointee.children {
            node = child
            continue
        }
        if entered { exit(n) }
        var current = n
        node = nil
        while true {
            if let next = current.pointee.next {
                node = next
                break
            }
            guard let parent = current.pointee.parent, UnsafeMutableRawPointer(parent) != boundary else { break }
            exit(parent)
            current = parent
        }
    }
}
