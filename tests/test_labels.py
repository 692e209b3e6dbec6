"""Label sheets: every tag's QR code must scan, on the right label, on every page; the
sheet is chosen from the register; PDF, SVG and PNG all work."""

import xml.etree.ElementTree as ET

import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image, ImageDraw

from store.configuration import assets, labels
from store.db.errors import BadInput

TAGS = [f"LAP-{n:04d}" for n in range(1, 26)]  # 25 tags: a full page of 21 and 4 more
LAYOUT = labels.A4_3X7
SVG = "{http://www.w3.org/2000/svg}"


def decoded(image: Image.Image, mm: float) -> dict[str, int]:
    """Each QR code on a page image and the label slot its centre is in."""
    found = {}
    for code in zxingcpp.read_barcodes(image.convert("L")):
        assert code.format == zxingcpp.BarcodeFormat.QRCode
        corners = [code.position.top_left, code.position.bottom_right]
        x = sum(p.x for p in corners) / 2 / mm
        y = sum(p.y for p in corners) / 2 / mm
        column = int((x - LAYOUT.left) // (LAYOUT.width + LAYOUT.gap))
        row = int((y - LAYOUT.top) // LAYOUT.height)
        assert code.text not in found, f"{code.text} twice on one page"
        found[code.text] = row * LAYOUT.columns + column
    return found


def slots(tags):
    """Where each tag should be: page by page, label by label."""
    return [
        {tag: n for n, tag in enumerate(tags[start : start + LAYOUT.per_page])}
        for start in range(0, len(tags), LAYOUT.per_page)
    ]


def test_pdf_sheet_scans_every_tag_on_its_label_over_two_pages(tmp_path):
    school = "St Mary’s — Café € Trust"
    assert labels.write_sheet(tmp_path / "sheet.pdf", TAGS, school=school) == [
        tmp_path / "sheet.pdf"
    ]
    pdf = pdfium.PdfDocument(str(tmp_path / "sheet.pdf"))
    try:
        assert len(pdf) == 2
        width, height = pdf[0].get_size()
        assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)  # A4
        scale = 150 / 72
        pages = [decoded(pdf[i].render(scale=scale).to_pil(), scale * 72 / 25.4) for i in (0, 1)]
        assert pages == slots(TAGS)
        text = pdf[1].get_textpage().get_text_range()
        assert "LAP-0025" in text and "LAP-0001" not in text
        assert text.count(school) == 4  # the school's name, curly quotes and all, on each label
    finally:
        pdf.close()


def test_png_sheet_is_one_file_a_page_and_every_tag_scans(tmp_path):
    written = labels.write_sheet(tmp_path / "sheet.PNG", TAGS, school="Hillside Academy")
    assert written == [tmp_path / "sheet.PNG", tmp_path / "sheet-2.PNG"]
    pages = []
    for path in written:
        with Image.open(path) as image:
            assert image.format == "PNG"
            assert image.size == (round(210 * 200 / 25.4), round(297 * 200 / 25.4))  # 200 dpi
            pages.append(decoded(image, 200 / 25.4))
    assert pages == slots(TAGS)


def svg_image(root: ET.Element, px_per_mm: float) -> Image.Image:
    """Draw an SVG sheet's QR rectangles, as a printer would."""
    size = (round(LAYOUT.page_width * px_per_mm), round(LAYOUT.page_height * px_per_mm))
    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    for group in root.iter(f"{SVG}g"):
        for rect in group.iter(f"{SVG}rect"):
            x, y, w, h = (float(rect.get(k)) * px_per_mm for k in ("x", "y", "width", "height"))
            draw.rectangle([round(x), round(y), round(x + w) - 1, round(y + h) - 1], fill=0)
    return image


def test_svg_sheet_is_valid_xml_with_each_tag_and_the_school_escaped(tmp_path):
    school = "Smith & Jones <Academy>"
    written = labels.write_sheet(tmp_path / "sheet.svg", TAGS, school=school)
    assert written == [tmp_path / "sheet.svg", tmp_path / "sheet-2.svg"]
    expected = slots(TAGS)
    for path, page in zip(written, expected, strict=True):
        raw = path.read_text("utf-8")
        assert "Smith &amp; Jones &lt;Academy&gt;" in raw and "<Academy>" not in raw
        root = ET.fromstring(raw)  # well-formed, or this raises
        assert root.tag == f"{SVG}svg" and root.get("width") == "210.0mm"
        texts = [t.text for t in root.iter(f"{SVG}text")]
        assert texts[0::2] == list(page) and texts[1::2] == [school] * len(page)
        assert [g.get("data-tag") for g in root.iter(f"{SVG}g")] == list(page)
    # and the first page's QR codes, drawn from its rectangles, scan to its tags
    assert decoded(svg_image(ET.parse(written[0]).getroot(), 6), 6) == expected[0]


def test_a_school_name_with_control_characters_still_makes_valid_xml(tmp_path):
    [path] = labels.write_sheet(
        tmp_path / "s.svg", ["LAP-0001"], school="Hill\x0cside\x00  High\u202e"
    )
    root = ET.parse(path).getroot()
    assert [t.text for t in root.iter(f"{SVG}text")] == ["LAP-0001", "Hill side High"]


def test_write_sheet_refusals(tmp_path):
    with pytest.raises(BadInput, match="nothing to label"):
        labels.write_sheet(tmp_path / "s.pdf", [], school="Hillside")
    with pytest.raises(BadInput, match=r"Labels are written as .pdf, .svg or .png, not '.docx'"):
        labels.write_sheet(tmp_path / "s.docx", TAGS, school="Hillside")
    with pytest.raises(BadInput, match="That is 10,001 labels; the most in one go is 10,000"):
        labels.write_sheet(tmp_path / "s.pdf", ["LAP-1"] * 10_001, school="Hillside")
    with pytest.raises(BadInput, match="cannot be written"):
        labels.write_sheet(tmp_path / "missing" / "s.pdf", TAGS, school="Hillside")
    assert list(tmp_path.iterdir()) == []


def test_a_short_tag_is_a_version_1_qr_code_in_alphanumeric_mode():
    matrix = labels.label_matrix("LAP-0042")
    assert len(matrix) == 21 + 2 * 4  # version 1 and its quiet zone
    # 20 upper-case characters still fit version 1 at level M only in alphanumeric mode
    assert len(labels.label_matrix("ABCDEFGHIJ-123456789")) == 29


@pytest.fixture
def rooms(school):
    assets.add_asset("PC-IT1-2", kind="desktop", location="IT1", by="jsmith")
    assets.add_asset("PC-IT1-1", kind="desktop", location="IT1", by="jsmith")
    assets.add_asset("PC-IT1-3", kind="desktop", location="IT1", by="jsmith")
    assets.add_asset("PAN-IT1", kind="panel", location="IT1", by="jsmith")
    assets.add_asset("CB-0001", kind="chromebook", location="S12", status="spare", by="jsmith")
    assets.retire_asset("PC-IT1-3", "Dead", by="jsmith")
    return school


def test_choose_by_location_and_kind_leaves_retired_devices_out(rooms):
    assert labels.choose(location="it1") == ["PAN-IT1", "PC-IT1-1", "PC-IT1-2"]
    assert labels.choose(location="IT1", kind="Desktop") == ["PC-IT1-1", "PC-IT1-2"]
    assert labels.choose(kind="Chromebook") == ["CB-0001"]  # a spare still needs its label
    assert labels.choose() == ["CB-0001", "LAP-0042", "PAN-IT1", "PC-IT1-1", "PC-IT1-2"]


def test_choose_given_tags_normalised_once_each_in_order(rooms):
    assert labels.choose(["pc-it1-2", " lap 0042 ", "PC-IT1-2"]) == ["PC-IT1-2", "LAP-0042"]
    with pytest.raises(BadInput, match="asset tag"):
        labels.choose(["LAP#1"])


def test_choose_with_nothing_matching_says_so(rooms):
    with pytest.raises(BadInput, match="No devices match, so there is nothing to label"):
        labels.choose(location="LIB", kind="panel")
    with pytest.raises(BadInput, match="No devices match"):
        labels.choose(location="ZZ9")


def test_a_school_name_beyond_the_pdf_fonts_loses_accents_before_letters(tmp_path):
    for school, printed in (("Ysgol Bro Dŵr", "Ysgol Bro Dwr"), ("Szkoła Łódź", "Szko?a ?ódz")):
        labels.write_sheet(tmp_path / "s.pdf", ["LAP-0001"], school=school)
        pdf = pdfium.PdfDocument(str(tmp_path / "s.pdf"))
        try:
            assert printed in pdf[0].get_textpage().get_text_range()
        finally:
            pdf.close()


def test_a_long_school_name_wraps_within_its_label(tmp_path):
    school = "The Very Long Named Church of England Voluntary Aided Academy of St Bartholomew"
    size, lines = labels.school_lines(school, labels.A4_3X7.width - labels.QR_SIZE - 5)
    assert len(lines) == 3 and lines[-1].endswith("…")
    room = labels.A4_3X7.width - labels.QR_SIZE - 5
    assert all(len(line) * size * 0.6 / labels.MM <= room for line in lines)
    [path] = labels.write_sheet(tmp_path / "s.svg", ["LAP-0001"], school=school)
    texts = [t.text for t in ET.parse(path).getroot().iter(f"{SVG}text")]
    assert texts == ["LAP-0001", *lines]
    assert labels.school_lines("Hillside Academy", room) == (7.0, ["Hillside Academy"])


def test_png_sheets_say_their_resolution_so_they_print_at_actual_size(tmp_path):
    from PIL import Image

    [path] = labels.write_sheet(tmp_path / "s.png", ["LAP-0001"], school="Hillside")
    with Image.open(path) as image:
        assert [round(d) for d in image.info["dpi"]] == [200, 200]
        assert image.size == (1654, 2339)  # A4 at 200 dpi
