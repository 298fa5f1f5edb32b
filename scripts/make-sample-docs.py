#!/usr/bin/env python3
"""Writes sample-kb/primer/embeddings.docx and sample-kb/primer/rag-primer.epub.

DOCX and EPUB files are zip archives of XML parts, so Python's standard library (zipfile) is all it takes;
no office suite is needed, and the bytes are the same on every run (fixed timestamps, fixed order), so the
committed files only change when this script does. Run from the repository root:

    python3 scripts/make-sample-docs.py
"""
import html
import os
import zipfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sample-kb", "primer")
STAMP = (2024, 1, 1, 0, 0, 0)

# The DOCX: a short primer section on embeddings, with headings, a list and a table.
DOCX_TITLE = "Embeddings and vector search"
DOCX_BODY = [
    ("Title", DOCX_TITLE),
    ("Heading1", "What an embedding is"),
    (None, "An embedding model turns a passage into a vector of a few hundred numbers, so that passages "
           "with similar meaning end up close together. The distance between two vectors stands in for how "
           "related the texts are, even when they share no words: a question about a car can find a passage "
           "about an automobile."),
    ("Heading2", "Choosing a model"),
    (None, "Small sentence-embedding models such as all-MiniLM-L6-v2 produce 384 numbers per passage and run "
           "on a laptop CPU. Larger models score better on benchmarks but cost more to run on every passage "
           "of a knowledge base, and every passage must be embedded again when the model changes."),
    ("list", "Embed passages and questions with the same model."),
    ("list", "Normalise vectors so that the dot product is the cosine similarity."),
    ("list", "Store the model name beside the vectors, to notice when it changes."),
    ("Heading1", "Searching vectors"),
    (None, "Exact search compares the question's vector with every stored vector. For a hundred thousand "
           "passages that is fast enough; beyond a few million, approximate indexes such as HNSW trade a "
           "little recall for a large gain in speed."),
    ("table", [["method", "recall", "speed"],
               ["exact (brute force)", "100%", "linear in passages"],
               ["HNSW graph", "95-99%", "logarithmic"],
               ["IVF with product quantisation", "90-95%", "sub-linear, small memory"]]),
    ("Heading2", "Vectors and keywords together"),
    (None, "Vector search finds paraphrases; keyword search finds exact names, error codes and rare terms. "
           "Hybrid retrieval runs both and merges the two rankings, for example with reciprocal rank fusion, "
           "which is why Lore keeps a full-text index beside its vectors."),
]

# The EPUB: three chapters on what happens after retrieval, with an EPUB 3 table of contents.
EPUB_TITLE = "A RAG primer: from passages to answers"
EPUB_CHAPTERS = [
    ("prompt.xhtml", "Assembling the prompt", [
        ("h1", "Assembling the prompt"),
        ("p", "Once the retriever has ranked the passages, the top few are pasted into the prompt, each under "
              "a label such as [1] or [2], between delimiters the documents themselves cannot produce. The "
              "instructions ask the model to answer only from those sources and to cite the labels."),
        ("h2", "How many passages"),
        ("p", "More passages raise the chance that the answer is among them but dilute the model's attention "
              "and cost tokens. Five to ten passages of a few hundred words each is a common starting point."),
    ]),
    ("citations.xhtml", "Citations", [
        ("h1", "Citations"),
        ("p", "A citation ties a sentence of the answer to the passage it came from. Because the labels were "
              "assigned before the model saw the prompt, a citation can be checked: the reader opens passage "
              "[2] and sees whether it says what the answer claims."),
        ("ul", ["Cite after the sentence the source supports.",
                "Never cite a label that was not in the prompt.",
                "Prefer one precise citation over several vague ones."]),
    ]),
    ("failure.xhtml", "When retrieval fails", [
        ("h1", "When retrieval fails"),
        ("p", "Most wrong answers of a RAG system are retrieval failures: the passage that holds the answer "
              "was never shown to the model. Measuring recall on a set of known questions finds these "
              "failures before users do, and an extractive answer that quotes the best passages shows the "
              "problem plainly when no model is configured."),
    ]),
]


def write_zip(path, parts):
    """parts: (name, text, compress) in order; the first part of an EPUB must be stored uncompressed."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, text, compress in parts:
            info = zipfile.ZipInfo(name, STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            archive.writestr(info, text.encode("utf-8"))


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def docx_paragraph(style, text):
    props = ""
    if style == "list":
        props = '<w:pPr><w:pStyle w:val="ListBullet"/><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr>'
    elif style:
        props = '<w:pPr><w:pStyle w:val="%s"/></w:pPr>' % style
    return '<w:p>%s<w:r><w:t xml:space="preserve">%s</w:t></w:r></w:p>' % (props, html.escape(text))


def docx_table(rows):
    cells = "".join("<w:tr>%s</w:tr>" % "".join(
        "<w:tc><w:p><w:r><w:t>%s</w:t></w:r></w:p></w:tc>" % html.escape(c) for c in row) for row in rows)
    return "<w:tbl><w:tblPr><w:tblStyle w:val=\"TableGrid\"/></w:tblPr>%s</w:tbl>" % cells


def make_docx(path):
    body = "".join(docx_table(item) if style == "table" else docx_paragraph(style, item)
                   for style, item in DOCX_BODY)
    styles = "".join('<w:style w:type="paragraph" w:styleId="%s"><w:name w:val="%s"/></w:style>' % pair for pair in
                     [("Normal", "Normal"), ("Title", "Title"), ("Heading1", "heading 1"), ("Heading2", "heading 2"),
                      ("ListBullet", "List Bullet")])
    numbering = ('<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/>'
                 '<w:lvlText w:val="\u2022"/></w:lvl></w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>')
    xml = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    write_zip(path, [
        ("[Content_Types].xml", xml +
         '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
         '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
         '<Default Extension="xml" ContentType="application/xml"/>'
         '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
         '<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>'
         '<Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/>'
         '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
         '</Types>', True),
        ("_rels/.rels", xml +
         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="%s/officeDocument" Target="word/document.xml"/>'
         '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
         'Target="docProps/core.xml"/></Relationships>' % rel, True),
        ("word/_rels/document.xml.rels", xml +
         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="%s/styles" Target="styles.xml"/>'
         '<Relationship Id="rId2" Type="%s/numbering" Target="numbering.xml"/></Relationships>' % (rel, rel), True),
        ("word/document.xml", xml + '<w:document %s><w:body>%s<w:sectPr/></w:body></w:document>' % (W, body), True),
        ("word/styles.xml", xml + '<w:styles %s>%s</w:styles>' % (W, styles), True),
        ("word/numbering.xml", xml + '<w:numbering %s>%s</w:numbering>' % (W, numbering), True),
        ("docProps/core.xml", xml +
         '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
         'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>%s</dc:title></cp:coreProperties>'
         % html.escape(DOCX_TITLE), True),
    ])


def xhtml_block(kind, content):
    if kind == "ul":
        return "<ul>%s</ul>" % "".join("<li>%s</li>" % html.escape(item) for item in content)
    return "<%s>%s</%s>" % (kind, html.escape(content), kind)


def make_epub(path):
    xml = '<?xml version="1.0" encoding="UTF-8"?>\n'
    chapters = []
    for name, _, blocks in EPUB_CHAPTERS:
        body = "\n".join(xhtml_block(kind, content) for kind, content in blocks)
        chapters.append(("OEBPS/" + name, xml + '<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml">'
                         '<head><title>%s</title></head>\n<body>\n%s\n</body>\n</html>\n'
                         % (html.escape(EPUB_TITLE), body), True))
    items = "".join('<item id="c%d" href="%s" media-type="application/xhtml+xml"/>' % (i, name)
                    for i, (name, _, _) in enumerate(EPUB_CHAPTERS))
    spine = "".join('<itemref idref="c%d"/>' % i for i in range(len(EPUB_CHAPTERS)))
    toc = "".join('<li><a href="%s">%s</a></li>' % (name, html.escape(title)) for name, title, _ in EPUB_CHAPTERS)
    write_zip(path, [
        ("mimetype", "application/epub+zip", False),
        ("META-INF/container.xml", xml +
         '<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
         '<rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>',
         True),
        ("OEBPS/content.opf", xml +
         '<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">'
         '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier id="id">urn:lore:sample-rag-primer</dc:identifier>'
         '<dc:title>%s</dc:title><dc:language>en</dc:language>'
         '<meta property="dcterms:modified">2024-01-01T00:00:00Z</meta></metadata>'
         '<manifest><item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>%s</manifest>'
         '<spine>%s</spine></package>' % (html.escape(EPUB_TITLE), items, spine), True),
        ("OEBPS/nav.xhtml", xml +
         '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"><head><title>Contents</title>'
         '</head><body><nav epub:type="toc"><h1>Contents</h1><ol>%s</ol></nav></body></html>' % toc, True),
    ] + chapters)


if __name__ == "__main__":
    make_docx(os.path.join(ROOT, "embeddings.docx"))
    make_epub(os.path.join(ROOT, "rag-primer.epub"))
