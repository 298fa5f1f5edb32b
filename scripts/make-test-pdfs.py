#!/usr/bin/env python3
"""Regenerates the PDFs Lore's tests and sample knowledge base use; the outputs are committed, so neither
the tests nor CI run this.

    python3 -m venv /tmp/pdfgen && /tmp/pdfgen/bin/pip install fpdf2
    /tmp/pdfgen/bin/python scripts/make-test-pdfs.py

Each test file shows one thing the PDF loader must get right (see Tests/LoreIngestTests/PDFLoaderTests.swift);
they use the PDF core fonts, which are not embedded, so each stays a few KB. Output is deterministic
(fixed creation date), so regenerating leaves unchanged files unchanged.
"""
import datetime
import io
import os
import re
import sys
import warnings

from fpdf import FPDF

# fpdf2 notes that it corrected A5's size in 2.8.5; the files here are made with a version after that.
warnings.filterwarnings("ignore", message="Dimensions for page format")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests", "Fixtures", "pdf")
EPOCH = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)


def new_pdf(title=None):
    pdf = FPDF(format="A5")
    pdf.set_creation_date(EPOCH)
    pdf.set_compression(True)
    if title:
        pdf.set_title(title)
    pdf.set_font("Helvetica", size=10)
    pdf.set_auto_page_break(True, margin=15)
    return pdf


def heading(pdf, text, level):
    pdf.start_section(text, level=level)
    pdf.set_font("Helvetica", "B", 13 - level)
    pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)


def paragraph(pdf, text):
    pdf.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)


def save(pdf, name):
    path = os.path.join(FIXTURES, name)
    pdf.output(path)
    return path


def with_outline():
    # Three pages; the outline nests "1.1 Requirements" under "1 Introduction", and "2 Usage" starts
    # page 2 and runs onto page 3.
    pdf = new_pdf("Widget Handbook")
    pdf.add_page()
    heading(pdf, "1 Introduction", 0)
    paragraph(pdf, "Widgets are small tools that frobnicate gadgets. This handbook explains how to install "
                   "them and how to use them every day.")
    heading(pdf, "1.1 Requirements", 1)
    paragraph(pdf, "A widget needs a gadget socket and a supply of sprockets.")
    pdf.add_page()
    heading(pdf, "2 Usage", 0)
    paragraph(pdf, "Turn the crank clockwise to start the widget. The lamp turns green when it is ready.")
    pdf.add_page()
    paragraph(pdf, "To stop the widget, turn the crank anticlockwise until the lamp turns amber.")
    return save(pdf, "with-outline.pdf")


def without_outline():
    # No title in the metadata and no bookmarks: headings come from nowhere, pages still do.
    pdf = new_pdf()
    pdf.add_page()
    paragraph(pdf, "Quarterly report on tomato harvests in the northern valley.")
    paragraph(pdf, "The second paragraph talks about irrigation schedules.")
    pdf.add_page()
    paragraph(pdf, "Page two mentions the pumpkin festival and its lanterns.")
    return save(pdf, "without-outline.pdf")


def two_columns():
    # Text set in two columns: a reader takes the whole left column before the right one.
    pdf = new_pdf("Two Columns")
    pdf.add_page()
    left = ("Left column begins here. Apples grow on trees in orchards. Harvest happens in autumn when "
            "the fruit is ripe. Left column ends here.")
    right = ("Right column begins here. Salmon swim upstream in rivers. They spawn in gravel beds far "
             "from the sea. Right column ends here.")
    width = (pdf.w - pdf.l_margin - pdf.r_margin - 8) / 2
    top = pdf.get_y()
    pdf.multi_cell(width, 5, left)
    pdf.set_xy(pdf.l_margin + width + 8, top)
    pdf.multi_cell(width, 5, right)
    return save(pdf, "two-columns.pdf")


def encrypted():
    # Opening needs the user password, which Lore does not have.
    pdf = new_pdf("Secret Plans")
    pdf.set_encryption(owner_password="owner-secret", user_password="user-secret")
    pdf.add_page()
    paragraph(pdf, "The secret plans are hidden under the third floorboard.")
    return save(pdf, "encrypted.pdf")


def scanned():
    # A page that is only a picture of text, as a scanner makes it: no text layer at all. The image is a
    # tiny grey bitmap drawn here, so no image library is needed.
    import zlib
    width, height = 64, 24
    rows = b"".join(b"\x00" + bytes((x * 3 + y * 5) % 256 for x in range(width)) for y in range(height))

    def chunk(kind, data):
        return (len(data).to_bytes(4, "big") + kind + data
                + zlib.crc32(kind + data).to_bytes(4, "big"))
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", width.to_bytes(4, "big") + height.to_bytes(4, "big")
                                      + bytes([8, 0, 0, 0, 0]))
           + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))
    pdf = new_pdf("Scanned Letter")
    pdf.add_page()
    pdf.image(io.BytesIO(png), x=10, y=10, w=120)
    return save(pdf, "scanned.pdf")


def truncated(source):
    # A download cut short: the first 60 % of a valid file, end-of-file marker and cross-references gone.
    data = open(source, "rb").read()
    path = os.path.join(FIXTURES, "truncated.pdf")
    with open(path, "wb") as f:
        f.write(data[: len(data) * 6 // 10])
    return path


def not_a_pdf():
    # Named .pdf, ends like one, but is not one.
    path = os.path.join(FIXTURES, "garbage.pdf")
    with open(path, "wb") as f:
        f.write(b"This is a plain note that someone saved with the wrong name.\n" * 4 + b"%%EOF\n")
    return path


LATIN1 = {"\u2014": "-", "\u2013": "-", "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
          "\u2026": "...", "\u00a0": " "}


def sample_primer():
    # sample-kb's primer on RAG versus fine-tuning, typeset as a PDF whose outline follows the Markdown
    # headings, so the sample knowledge base shows page ranges and bookmark headings.
    source = os.path.join(ROOT, "sample-kb", "primer", "rag-vs-fine-tuning.md")
    text = open(source, encoding="utf-8").read()
    text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)
    for k, v in LATIN1.items():
        text = text.replace(k, v)
    pdf = new_pdf("Retrieval-augmented generation versus fine-tuning")
    pdf.set_author("Lore sample knowledge base")
    pdf.add_page()
    for block in re.split(r"\n\s*\n", text.strip()):
        block = block.strip()
        m = re.match(r"(#+) (.*)", block)
        if m:
            level = len(m.group(1)) - 1
            if level == 1 and pdf.get_y() > pdf.h * 0.6:
                pdf.add_page()
            heading(pdf, m.group(2).strip(), level)
            continue
        block = re.sub(r"\*\*(.*?)\*\*", r"\1", block)
        block = re.sub(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])", r"\1", block)
        block = re.sub(r"`([^`]*)`", r"\1", block)
        paragraph(pdf, " ".join(block.split()))
    path = os.path.join(ROOT, "sample-kb", "primer", "rag-primer.pdf")
    pdf.output(path)
    return path


def main():
    os.makedirs(FIXTURES, exist_ok=True)
    outlined = with_outline()
    made = [outlined, without_outline(), two_columns(), encrypted(), scanned(), truncated(outlined),
            not_a_pdf(), sample_primer()]
    for path in made:
        print(f"{os.path.getsize(path):7d}  {os.path.relpath(path, ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
