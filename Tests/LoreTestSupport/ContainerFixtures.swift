import Foundation
import ZIPFoundation

/// DOCX, ODT and EPUB files built from their XML parts for tests: real zip archives with the parts, the
/// relationships and the manifests real writers produce, plus the hostile kinds (bombs, escaping names).
public enum ContainerFixtures {
    /// One entry of a zip archive.
    public struct Part: Sendable {
        public var name: String
        public var bytes: [UInt8]
        public var compressed: Bool

        public init(_ name: String, _ text: String, compressed: Bool = true) {
            self.init(name, bytes: Array(text.utf8), compressed: compressed)
        }

        public init(_ name: String, bytes: [UInt8], compressed: Bool = true) {
            self.name = name
            self.bytes = bytes
            self.compressed = compressed
        }
    }

    /// A zip archive of `parts`, in memory, in that order.
    public static func zip(_ parts: [Part]) throws -> [UInt8] {
        let archive = try Archive(data: Data(), accessMode: .create, pathEncoding: nil)
        for part in parts {
            let data = Data(part.bytes)
            try archive.addEntry(with: part.name, type: .file, uncompressedSize: Int64(data.count),
                                 compressionMethod: part.compressed ? .deflate : .none) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        return Array(archive.data ?? Data())
    }

    /// A zip whose one entry is `size` bytes of spaces made on the fly, never held whole: deflate packs it
    /// about 1000 to 1.
    public static func zipOfFiller(entry: String, size: Int, beside parts: [Part] = []) throws -> [UInt8] {
        let archive = try Archive(data: Data(), accessMode: .create, pathEncoding: nil)
        for part in parts {
            let data = Data(part.bytes)
            try archive.addEntry(with: part.name, type: .file, uncompressedSize: Int64(data.count),
                                 compressionMethod: .deflate) { position, chunk in
                data.subdata(in: Int(position)..<Int(position) + chunk)
            }
        }
        try archive.addEntry(with: entry, type: .file, uncompressedSize: Int64(size),
                             compressionMethod: .deflate) { _, chunk in Data(repeating: 0x20, count: chunk) }
        return Array(archive.data ?? Data())
    }

    /// The same archive with every entry's declared unpacked size rewritten to `claimed`, in the central
    /// directory and the local headers alike: a bomb that lies about its size.
    public static func declaringSizes(_ zip: [UInt8], as claimed: UInt32) -> [UInt8] {
        var bytes = zip
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        func put32(_ at: Int, _ value: UInt32) {
            for i in 0..<4 { bytes[at + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(i))) }
        }
        guard let eocd = stride(from: bytes.count - 22, through: 0, by: -1).first(where: { u32($0) == 0x0605_4B50 })
        else { return bytes }
        var at = u32(eocd + 16)
        for _ in 0..<u16(eocd + 10) where u32(at) == 0x0201_4B50 {
            put32(at + 24, claimed)
            put32(u32(at + 42) + 22, claimed)
            at += 46 + u16(at + 28) + u16(at + 30) + u16(at + 32)
        }
        return bytes
    }

    /// One entry of a zip archive as its headers describe it. `rawZip` writes every field as given and
    /// recomputes nothing, so a test can cut an entry's data, or make its headers lie, and say exactly how.
    public struct RawEntry: Sendable {
        public var name: String
        public var method: UInt16
        public var flags: UInt16
        public var crc32: UInt32
        public var compressedSize: UInt32
        public var uncompressedSize: UInt32
        /// The entry's data as the archive stores it: raw deflate when `method` is 8.
        public var data: [UInt8]
        /// Written the way streaming writers (LibreOffice, Java) do: flag bit 3, zeros for the CRC and sizes
        /// in the local header, and a data descriptor holding them after the data.
        public var descriptor: Bool
        /// The sizes written as ZIP64 writers do: 0xFFFFFFFF in their fields, the values in a ZIP64
        /// extended information extra field, in the local header and the central directory.
        public var zip64: Bool
        /// The local header offset written the same way, in the central directory.
        public var zip64Offset: Bool

        public init(name: String, method: UInt16, flags: UInt16 = 0, crc32: UInt32, compressedSize: UInt32,
                    uncompressedSize: UInt32, data: [UInt8], descriptor: Bool = false, zip64: Bool = false,
                    zip64Offset: Bool = false) {
            self.name = name
            self.method = method
            self.flags = flags
            self.crc32 = crc32
            self.compressedSize = compressedSize
            self.uncompressedSize = uncompressedSize
            self.data = data
            self.descriptor = descriptor
            self.zip64 = zip64
            self.zip64Offset = zip64Offset
        }
    }

    /// The entries of a well-formed `zip` without ZIP64 fields, in central directory order, each with its
    /// data as stored.
    public static func rawEntries(_ zip: [UInt8]) -> [RawEntry] {
        func u16(_ at: Int) -> Int { Int(zip[at]) | Int(zip[at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        guard let eocd = stride(from: zip.count - 22, through: 0, by: -1).first(where: { u32($0) == 0x0605_4B50 })
        else { return [] }
        var entries: [RawEntry] = []
        var at = u32(eocd + 16)
        for _ in 0..<u16(eocd + 10) where u32(at) == 0x0201_4B50 {
            let nameLength = u16(at + 28)
            let local = u32(at + 42)
            let start = local + 30 + u16(local + 26) + u16(local + 28)
            let compressedSize = u32(at + 20)
            entries.append(RawEntry(name: String(decoding: zip[(at + 46)..<(at + 46 + nameLength)], as: UTF8.self),
                                    method: UInt16(u16(at + 10)), flags: UInt16(u16(at + 8)) & ~8,
                                    crc32: UInt32(u32(at + 16)), compressedSize: UInt32(compressedSize),
                                    uncompressedSize: UInt32(u32(at + 24)),
                                    data: Array(zip[start..<(start + compressedSize)])))
            at += 46 + nameLength + u16(at + 30) + u16(at + 32)
        }
        return entries
    }

    /// How a raw archive ends.
    public enum EndRecord: Sendable {
        /// The end of central directory record alone.
        case plain
        /// A ZIP64 end record and locator before it, both holding the same values.
        case zip64
        /// The same, with the plain record's fields saturated (0xFFFF, 0xFFFFFFFF) as when they overflow.
        case zip64Saturated
    }

    /// A zip archive of `entries` written field by field: local headers and data, then the central
    /// directory and `end`.
    public static func rawZip(_ entries: [RawEntry], end: EndRecord = .plain) -> [UInt8] {
        var bytes: [UInt8] = []
        func put16(_ value: UInt16) { bytes += [UInt8(value & 0xFF), UInt8(value >> 8)] }
        func put32(_ value: UInt32) { put16(UInt16(value & 0xFFFF)); put16(UInt16(value >> 16)) }
        func put64(_ value: UInt64) { put32(UInt32(value & 0xFFFF_FFFF)); put32(UInt32(value >> 32)) }
        var offsets: [UInt32] = []
        for entry in entries {
            offsets.append(UInt32(bytes.count))
            put32(0x0403_4B50)
            put16(entry.zip64 ? 45 : 20)
            put16(entry.flags | (entry.descriptor ? 8 : 0))
            put16(entry.method)
            put32(0)  // modification time and date
            put32(entry.descriptor ? 0 : entry.crc32)
            put32(entry.zip64 ? .max : entry.descriptor ? 0 : entry.compressedSize)
            put32(entry.zip64 ? .max : entry.descriptor ? 0 : entry.uncompressedSize)
            put16(UInt16(entry.name.utf8.count))
            put16(entry.zip64 ? 20 : 0)
            bytes += entry.name.utf8
            if entry.zip64 {
                put16(1)
                put16(16)
                put64(UInt64(entry.uncompressedSize))
                put64(UInt64(entry.compressedSize))
            }
            bytes += entry.data
            if entry.descriptor {
                put32(0x0807_4B50)
                put32(entry.crc32)
                put32(entry.compressedSize)
                put32(entry.uncompressedSize)
            }
        }
        let directory = UInt32(bytes.count)
        for (entry, offset) in Swift.zip(entries, offsets) {
            put32(0x0201_4B50)
            put16(0x0314)  // made by Unix, so ZIPFoundation reads the type from the mode below
            put16(entry.zip64 || entry.zip64Offset ? 45 : 20)
            put16(entry.flags | (entry.descriptor ? 8 : 0))
            put16(entry.method)
            put32(0)
            put32(entry.crc32)
            put32(entry.zip64 ? .max : entry.compressedSize)
            put32(entry.zip64 ? .max : entry.uncompressedSize)
            put16(UInt16(entry.name.utf8.count))
            put16((entry.zip64 || entry.zip64Offset ? 4 : 0) + (entry.zip64 ? 16 : 0) + (entry.zip64Offset ? 8 : 0))
            put16(0)  // comment length
            put32(0)  // disk number and internal attributes
            put32(0o100644 << 16)  // a regular file
            put32(entry.zip64Offset ? .max : offset)
            bytes += entry.name.utf8
            if entry.zip64 || entry.zip64Offset {
                put16(1)
                put16((entry.zip64 ? 16 : 0) + (entry.zip64Offset ? 8 : 0))
                if entry.zip64 {
                    put64(UInt64(entry.uncompressedSize))
                    put64(UInt64(entry.compressedSize))
                }
                if entry.zip64Offset { put64(UInt64(offset)) }
            }
        }
        let directorySize = UInt32(bytes.count) - directory
        if end != .plain {
            let record = UInt64(bytes.count)
            put32(0x0606_4B50)
            put64(44)  // the size of the rest of this record
            put16(45)
            put16(45)
            put32(0)
            put32(0)
            put64(UInt64(entries.count))
            put64(UInt64(entries.count))
            put64(UInt64(directorySize))
            put64(UInt64(directory))
            put32(0x0706_4B50)
            put32(0)
            put64(record)
            put32(1)
        }
        put32(0x0605_4B50)
        put32(0)  // disk numbers
        let saturated = end == .zip64Saturated
        put16(saturated ? .max : UInt16(entries.count))
        put16(saturated ? .max : UInt16(entries.count))
        put32(saturated ? .max : directorySize)
        put32(saturated ? .max : directory)
        put16(0)
        return bytes
    }

    // MARK: DOCX

    public static let wordNamespaceDeclarations = """
        xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" \
        xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" \
        xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" \
        xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"
        """

    /// The parts of a Word document whose body is `body` (the XML inside `w:body`).
    public static func docxParts(body: String, styles: String? = nil, title: String? = nil,
                                 extra: [Part] = []) -> [Part] {
        var parts = [
            Part("[Content_Types].xml", """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
                <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
                <Default Extension="xml" ContentType="application/xml"/>\
                <Default Extension="png" ContentType="image/png"/>\
                <Override PartName="/word/document.xml" \
                ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>\
                </Types>
                """),
            Part("_rels/.rels", """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
                <Relationship Id="rId1" \
                Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" \
                Target="word/document.xml"/>\
                <Relationship Id="rId2" \
                Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" \
                Target="docProps/core.xml"/>\
                </Relationships>
                """),
            Part("word/document.xml", """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <w:document \(wordNamespaceDeclarations)><w:body>\(body)<w:sectPr/></w:body></w:document>
                """),
        ]
        if let styles {
            parts.append(Part("word/styles.xml", """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <w:styles \(wordNamespaceDeclarations)>\(styles)</w:styles>
                """))
        }
        if let title {
            parts.append(Part("docProps/core.xml", """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <cp:coreProperties \
                xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" \
                xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>\(title)</dc:title></cp:coreProperties>
                """))
        }
        return parts + extra
    }

    /// A Word paragraph: `style` is a style id, `list` a numbering level.
    public static func wordParagraph(_ text: String, style: String? = nil, list: Int? = nil) -> String {
        var properties = ""
        if let style { properties += "<w:pStyle w:val=\"\(style)\"/>" }
        if let list { properties += "<w:numPr><w:ilvl w:val=\"\(list)\"/><w:numId w:val=\"1\"/></w:numPr>" }
        let pPr = properties.isEmpty ? "" : "<w:pPr>\(properties)</w:pPr>"
        return "<w:p>\(pPr)<w:r><w:t xml:space=\"preserve\">\(text)</w:t></w:r></w:p>"
    }

    /// A Word table of plain-text cells.
    public static func wordTable(_ rows: [[String]]) -> String {
        let body = rows.map { row in
            "<w:tr>" + row.map { "<w:tc><w:p><w:r><w:t>\($0)</w:t></w:r></w:p></w:tc>" }.joined() + "</w:tr>"
        }.joined()
        return "<w:tbl><w:tblPr/>\(body)</w:tbl>"
    }

    /// A paragraph holding only an inline picture (its image part is `word/media/image1.png`).
    public static let wordPicture = """
        <w:p><w:r><w:drawing><wp:inline><wp:docPr id="1" name="Picture 1" descr="a diagram"/>\
        <a:graphic><a:graphicData><a:blip r:embed="rId9"/></a:graphicData></a:graphic></wp:inline>\
        </w:drawing></w:r></w:p>
        """

    /// Eight bytes of PNG signature and a little more: an image part that is not XML.
    public static let pngBytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 0, count: 64)

    // MARK: ODT

    /// An OpenDocument text whose `office:text` holds `text`.
    public static func odtParts(text: String, title: String? = nil, extra: [Part] = []) -> [Part] {
        var parts = [
            // The mimetype comes first and unpacked, as the OpenDocument specification requires.
            Part("mimetype", "application/vnd.oasis.opendocument.text", compressed: false),
            Part("META-INF/manifest.xml", """
                <?xml version="1.0" encoding="UTF-8"?>
                <manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" \
                manifest:version="1.3"><manifest:file-entry manifest:full-path="/" \
                manifest:media-type="application/vnd.oasis.opendocument.text"/>\
                <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>\
                </manifest:manifest>
                """),
            Part("content.xml", """
                <?xml version="1.0" encoding="UTF-8"?>
                <office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" \
                xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" \
                xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" \
                xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" \
                xmlns:xlink="http://www.w3.org/1999/xlink" office:version="1.3">\
                <office:body><office:text>\(text)</office:text></office:body></office:document-content>
                """),
        ]
        if let title {
            parts.append(Part("meta.xml", """
                <?xml version="1.0" encoding="UTF-8"?>
                <office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" \
                xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.3">\
                <office:meta><dc:title>\(title)</dc:title></office:meta></office:document-meta>
                """))
        }
        return parts + extra
    }

    // MARK: EPUB

    /// One chapter of an EPUB: its file name under `OEBPS/`, the title the table of contents gives it
    /// (nil: not listed there), and its XHTML body.
    public struct Chapter: Sendable {
        public var file: String
        public var tocTitle: String?
        public var body: String

        public init(file: String, tocTitle: String?, body: String) {
            self.file = file
            self.tocTitle = tocTitle
            self.body = body
        }
    }

    /// An EPUB 3 book (navigation document) or, with `ncx`, an EPUB 2 one (NCX table of contents). The
    /// spine lists the chapters in the order given, which need not be the manifest's.
    public static func epubParts(title: String, chapters: [Chapter], ncx: Bool = false,
                                 extra: [Part] = []) -> [Part] {
        let manifestItems = chapters.enumerated().reversed().map { index, chapter in
            "<item id=\"c\(index)\" href=\"\(chapter.file)\" media-type=\"application/xhtml+xml\"/>"
        }.joined()
        let spine = chapters.indices.map { "<itemref idref=\"c\($0)\"/>" }.joined()
        var parts = [
            Part("mimetype", "application/epub+zip", compressed: false),
            Part("META-INF/container.xml", """
                <?xml version="1.0" encoding="UTF-8"?>
                <container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">\
                <rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>\
                </rootfiles></container>
                """),
            Part("OEBPS/content.opf", """
                <?xml version="1.0" encoding="UTF-8"?>
                <package xmlns="http://www.idpf.org/2007/opf" version="\(ncx ? "2.0" : "3.0")" unique-identifier="id">\
                <metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier id="id">urn:test</dc:identifier>\
                <dc:title>\(title)</dc:title><dc:language>en</dc:language></metadata>\
                <manifest>\(manifestItems)\
                \(ncx ? "<item id=\"ncx\" href=\"toc.ncx\" media-type=\"application/x-dtbncx+xml\"/>"
                      : "<item id=\"nav\" href=\"nav.xhtml\" media-type=\"application/xhtml+xml\" properties=\"nav\"/>")\
                <item id=\"img\" href=\"images/figure.png\" media-type=\"image/png\"/>\
                </manifest><spine\(ncx ? " toc=\"ncx\"" : "")>\(spine)</spine></package>
                """),
            Part("OEBPS/images/figure.png", bytes: pngBytes, compressed: false),
        ]
        let listed = chapters.filter { $0.tocTitle != nil }
        if ncx {
            let points = listed.enumerated().map { index, chapter in
                "<navPoint id=\"p\(index)\" playOrder=\"\(index + 1)\"><navLabel><text>\(chapter.tocTitle!)</text>" +
                    "</navLabel><content src=\"\(chapter.file)\"/></navPoint>"
            }.joined()
            parts.append(Part("OEBPS/toc.ncx", """
                <?xml version="1.0" encoding="UTF-8"?>
                <ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1"><head/>\
                <docTitle><text>\(title)</text></docTitle><navMap>\(points)</navMap></ncx>
                """))
        } else {
            let items = listed.map { "<li><a href=\"\($0.file)\">\($0.tocTitle!)</a></li>" }.joined()
            parts.append(Part("OEBPS/nav.xhtml", """
                <?xml version="1.0" encoding="UTF-8"?>
                <html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">\
                <head><title>Contents</title></head><body>\
                <nav epub:type="landmarks"><ol><li><a href="\(chapters.first?.file ?? "")">Start</a></li></ol></nav>\
                <nav epub:type="toc"><h1>Contents</h1><ol>\(items)</ol></nav></body></html>
                """))
        }
        for chapter in chapters {
            parts.append(Part("OEBPS/" + chapter.file, """
                <?xml version="1.0" encoding="UTF-8"?>
                <!DOCTYPE html>
                <html xmlns="http://www.w3.org/1999/xhtml"><head><title>\(title)</title></head>
                <body>
                \(chapter.body)
                </body>
                </html>
                """))
        }
        return parts + extra
    }
}
