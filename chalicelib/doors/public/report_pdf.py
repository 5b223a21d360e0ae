"""The vehicle report as a PDF: the vehicle card, every record of the timeline, the code.

Why: a buyer or an insurer keeps a file, not a web page. The PDF carries the same facts as the
vehicle page (built once by `views.vehicle_view`) and the report verification code with its
absolute verify URL, so whoever receives the file can check it against the stored records.
reportlab's built-in CID font `STSong-Light` renders Chinese with no font file to ship; the
viewer supplies the glyphs. reportlab is imported here, and this module only by the PDF route,
so the cold start of every other route never pays for it.
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

CJK_FONT = "STSong-Light"
MONO_FONT = "Courier"
LATIN_FONT = "Helvetica"  # for the bullet and the middle dot, which STSong-Light maps to nothing


def report_pdf(
    context: dict[str, Any],
    texts: dict[str, str],
    *,
    lang: str,
    verify_url: str,
    generated_on: str,
) -> bytes:
    """The PDF bytes of one vehicle's report.

    Parameters
    ----------
    context
        What the vehicle page shows: ``vin``, ``card``, ``records`` (history entries with
        ``explained_flags``) and ``report_code`` (None when the file has no chain yet).
    texts, lang
        The page texts in the reader's language (``texts.consumer_texts(lang)``) and that language.
    verify_url
        Absolute URL of ``GET /verify/{code}`` for this report's code ("" without a code).
    generated_on
        The day the report was made (China date, ISO), printed on every page.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    _register_fonts()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"{texts['title']} · {context['vin']}",
        author=texts["title"],
        subject=context["vin"],
        creator="vmehr",
        lang=lang,
    )
    footer = f"VIN {context['vin']}  |  {texts['pdf_generated']} {generated_on}"

    def _page_footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(CJK_FONT, 8)
        canvas.drawString(18 * mm, 10 * mm, footer)
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, str(doc.page))
        canvas.restoreState()

    story = _story(context, texts, verify_url, generated_on)
    document.build(story, onFirstPage=_page_footer, onLaterPages=_page_footer)
    return buffer.getvalue()


def _story(
    context: dict[str, Any], texts: dict[str, str], verify_url: str, generated_on: str
) -> list[Any]:
    from reportlab.platypus import KeepTogether, Paragraph, Spacer

    style = _styles()
    story: list[Any] = [
        Paragraph(_x(texts["title"]), style["title"]),
        Paragraph(f"{_x(texts['pdf_generated'])} {_x(generated_on)}", style["hint"]),
        Spacer(1, 6),
        Paragraph(_x(texts["vehicle"]), style["h2"]),
        *_vehicle_card(context, texts, style),
    ]
    if context.get("withheld"):
        story.append(Paragraph(_x(texts["withheld"].format(n=context["withheld"])), style["body"]))
    if context.get("report_code"):
        story += [
            Paragraph(_x(texts["report_code"]), style["h2"]),
            Paragraph(_mono(context["report_code"]), style["code"]),
            Paragraph(f"{_x(texts['report_hint'])} {_mono(verify_url)}", style["body"]),
        ]
    count = texts["record_count"].format(n=len(context["records"]))
    story.append(Paragraph(f"{_x(texts['records'])}{_DOT}{_x(count)}", style["h2"]))
    for record in context["records"]:
        story.append(KeepTogether(_record(record, texts, style)))
    story += [Spacer(1, 8), Paragraph(_x(texts["privacy"]), style["hint"])]
    return story


def _vehicle_card(context: dict[str, Any], texts: dict[str, str], style: Any) -> list[Any]:
    from reportlab.platypus import Paragraph

    card = context["card"]
    rows = [
        ("VIN", _mono(context["vin"])),
        (texts["manufacturer"], _x(card.get("manufacturer") or texts["unknown"])),
        (texts["region"], _x(card.get("country") or card.get("region") or texts["unknown"])),
        (texts["model_year"], _x(str(card.get("model_year") or texts["unknown"]))),
    ]
    return [Paragraph(f"{_x(label)}: {value}", style["body"]) for label, value in rows]


def _record(record: dict[str, Any], texts: dict[str, str], style: Any) -> list[Any]:
    from reportlab.platypus import Paragraph, Spacer

    shop = record["shop"]
    heading = (
        f"{_x(record['settlement_date'])}{_DOT}{_x(shop['name'])} [{_x(shop['shop_class_label'])}]"
    )
    lines = [
        Paragraph(heading, style["h3"]),
        Paragraph(f"{_x(texts['mileage'])}: {record['mileage']} {_x(texts['km'])}", style["body"]),
        Paragraph(f"{_x(texts['fault'])}: {_x(record['fault_description'])}", style["body"]),
    ]
    if record["repair_items"]:
        lines.append(Paragraph(_x(texts["items"]), style["h4"]))
        lines += [
            _bullet(
                f"{_x(i['name'])} — {_x(i['labour_hours'])} {_x(texts['hours'])}", style["item"]
            )
            for i in record["repair_items"]
        ]
    if record["parts"]:
        lines.append(Paragraph(_x(texts["parts"]), style["h4"]))
        lines += [
            _bullet(
                f"{_x(p['name'])} ({_x(texts['code'])} {_mono(p['code'])}, "
                f"{_x(texts['quantity'])} {_x(p['quantity'])})",
                style["item"],
            )
            for p in record["parts"]
        ]
    if record.get("corrected_text") or record["corrected"]:
        note = record.get("corrected_text") or texts["corrected"].format(version=record["version"])
        lines.append(Paragraph(_x(note), style["note"]))
    if record["explained_flags"]:
        lines.append(Paragraph(_x(texts["flags"]), style["h4"]))
        lines += [_bullet(_x(f), style["flag"]) for f in record["explained_flags"]]
    lines.append(Spacer(1, 6))
    return lines


def _styles() -> dict[str, Any]:
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle

    ink, muted, warn = colors.HexColor("#1b1f24"), colors.HexColor("#4a5560"), "#a4161a"
    body = ParagraphStyle(
        "body", fontName=CJK_FONT, fontSize=10, leading=14, textColor=ink, wordWrap="CJK"
    )
    return {
        "title": ParagraphStyle("title", parent=body, fontSize=16, leading=22),
        "h2": ParagraphStyle("h2", parent=body, fontSize=13, leading=18, spaceBefore=10),
        "h3": ParagraphStyle("h3", parent=body, fontSize=11, leading=16, spaceBefore=6),
        "h4": ParagraphStyle("h4", parent=body, textColor=muted, spaceBefore=2),
        "body": body,
        "item": ParagraphStyle("item", parent=body, leftIndent=14, bulletFontName=LATIN_FONT),
        "flag": ParagraphStyle(
            "flag",
            parent=body,
            leftIndent=14,
            bulletFontName=LATIN_FONT,
            textColor=colors.HexColor(warn),
        ),
        "note": ParagraphStyle("note", parent=body, textColor=muted),
        "hint": ParagraphStyle("hint", parent=body, fontSize=9, textColor=muted),
        "code": ParagraphStyle("code", parent=body, fontName=MONO_FONT, fontSize=11, leading=16),
    }


def _bullet(markup: str, style: Any) -> Any:
    from reportlab.platypus import Paragraph

    return Paragraph(markup, style, bulletText="\u2022")


def _register_fonts() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))


def _x(text: object) -> str:
    """Shop-supplied text as literal characters (reportlab paragraphs parse a markup)."""
    return escape(str(text))


_DOT = f' <font name="{LATIN_FONT}">\u00b7</font> '


def _mono(text: object) -> str:
    return f'<font name="{MONO_FONT}">{_x(text)}</font>'
