import CPoppler
import LoreCore

/// PDF through poppler's GLib API: each page's text in poppler's reading order, the outline as headings,
/// the title from the document's metadata. Poppler is what the common Linux viewers (evince, okular) read
/// PDFs with, so Lore finds the text a person sees there.
///
/// Thread safety: the indexer loads two documents at once. Each call opens its own `PopplerDocument` and
/// never shares it; poppler-glib guards its one process-wide state (GlobalParams) with a lock of its own,
/// which `PDFLoaderTests.concurrentLoadsAgree` exercises.
enum PDFLoader {
    static func load(_ bytes: UnsafeRawBufferPointer, path: String) -> BinaryLoadResult {
        // Poppler rebuilds a cut-off file's cross-reference table and opens what is left, so a truncated
        // download would be indexed as a shorter document and never looked at again; one without the
        // end-of-file marker is reported as damaged instead.
        guard hasEndMarker(bytes) else { return .skipped(.damaged) }
        var status = LORE_PDF_DAMAGED
        guard let document = lore_pdf_open(bytes.baseAddress, bytes.count, &status) else {
            return .skipped(status == LORE_PDF_ENCRYPTED ? .encrypted : .damaged)
        }
        defer { lore_pdf_close(document) }

        let count = Int(poppler_document_get_n_pages(document))
        var pages: [String] = []
        pages.reserveCapacity(count)
        for index in 0..<count {
            pages.append(take(lore_pdf_page_text(document, Int32(index))) ?? "")
        }
        var outline: [PDFPages.OutlineEntry] = []
        if let top = lore_pdf_outline_first(document) {
            walk(top, level: 1, document: document, into: &outline)
            lore_pdf_outline_free(top)
        }
        let title = take(poppler_document_get_title(document))
        let loaded = PDFPages.document(title: title, pages: pages, outline: outline)
        return .loaded(loaded)
    }

    /// The PDF specification puts `%%EOF` at the end; readers accept it within the last KiB, since some
    /// writers append a line break or padding after it.
    static func hasEndMarker(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let tail = bytes.suffix(1024)
        let marker: [UInt8] = Array("%%EOF".utf8)
        guard tail.count >= marker.count else { return false }
        var i = tail.endIndex - marker.count
        while i >= tail.startIndex {
            if tail[i..<(i + marker.count)].elementsEqual(marker) { return true }
            i -= 1
        }
        return false
    }

    /// Depth-first, siblings in order: the order in which a viewer's bookmark pane lists them.
    private static func walk(_ iter: OpaquePointer, level: Int, document: OpaquePointer,
                             into outline: inout [PDFPages.OutlineEntry]) {
        // Outlines nest a handful of levels; a file crafted with thousands must not exhaust the stack.
        guard level <= 32 else { return }
        repeat {
            var page: Int32 = 0
            let title = take(lore_pdf_outline_entry(document, iter, &page))
            if let title {
                outline.append(PDFPages.OutlineEntry(title: title, level: level, page: page > 0 ? Int(page) : nil))
            }
            if let children = lore_pdf_outline_children(iter) {
                walk(children, level: level + 1, document: document, into: &outline)
                lore_pdf_outline_free(children)
            }
        } while lore_pdf_outline_next(iter) != 0
    }

    /// A string poppler allocated, copied into Swift and freed. Invalid UTF-8 becomes U+FFFD rather than
    /// losing the page.
    private static func take(_ pointer: UnsafeMutablePointer<CChar>?) -> String? {
        guard let pointer else { return nil }
        defer { lore_pdf_free_string(pointer) }
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: strlen(pointer)), as: UTF8.self)
    }
}
