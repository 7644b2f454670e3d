"""The recibo: a receipt for fees paid to the office (A4), amount written out in words."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from ..br.extenso import reais
from .common import BOLD, FONT, date_extenso, document_label, draw_logo, fit, money

__all__ = ['ReciboDoc', 'recibo_pdf']


@dataclass(kw_only=True)
class ReciboDoc:
    """A receipt for fees paid to the office. `amount_words` defaults to the amount written out by `extenso`."""

    number: int
    office_name: str
    office_document: str
    office_address: str
    client_name: str
    client_document: str
    amount_cents: int
    refers_to: str
    payment_form: str
    place: str
    date: date
    accountant_name: str
    accountant_crc: str
    amount_words: str = ''
    office_logo_path: str | Path | None = None


def recibo_pdf(doc: ReciboDoc) -> bytes:
    """A4 receipt: header with the office, 'RECIBO Nº 000123', the amount, the text, place and date, signature."""
    words = doc.amount_words or reais(Decimal(doc.amount_cents) / 100)
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=A4, pageCompression=1)
    c.setTitle(f'Recibo {doc.number:06d}')
    c.setAuthor(doc.office_name)
    width, height = A4
    left = 20 * mm
    right = width - 20 * mm
    top = height - 20 * mm
    x = left
    if draw_logo(c, doc.office_logo_path, left, top - 18 * mm, 35 * mm, 18 * mm):
        x += 39 * mm
    c.setFont(BOLD, 13)
    c.drawString(x, top - 5 * mm, fit(doc.office_name, BOLD, 13, right - x))
    c.setFont(FONT, 9)
    c.drawString(x, top - 10 * mm, fit(document_label(doc.office_document), FONT, 9, right - x))
    c.drawString(x, top - 14.5 * mm, fit(doc.office_address, FONT, 9, right - x))
    c.setLineWidth(0.8)
    c.line(left, top - 21 * mm, right, top - 21 * mm)

    y = top - 36 * mm
    c.setFont(BOLD, 18)
    c.drawString(left, y, f'RECIBO Nº {doc.number:06d}')
    value_text = f'Valor: {money(doc.amount_cents)}'
    box_w = stringWidth(value_text, BOLD, 14) + 10 * mm
    c.setLineWidth(1)
    c.rect(right - box_w, y - 4 * mm, box_w, 11 * mm, stroke=1, fill=0)
    c.setFont(BOLD, 14)
    c.drawCentredString(right - box_w / 2, y - 0.2 * mm, value_text)

    body_style = ParagraphStyle('recibo', fontName=FONT, fontSize=12, leading=19, alignment=4)
    # The description is inserted as typed ("Abertura de filial"), so it follows a colon rather than "referente a",
    # which would need the right crase; "R$" and the amount are held together by a no-break space.
    payer = escape(doc.client_name) + (f' ({escape(document_label(doc.client_document))})' if doc.client_document else '')
    amount = escape(money(doc.amount_cents)).replace(' ', '&nbsp;')
    text = (
        f'Recebemos de <b>{payer}</b> a importância de <b>{amount}</b> ({escape(words)}), pago via '
        f'{escape(doc.payment_form)}, referente a: {escape(doc.refers_to.strip().rstrip("."))}.'
    )
    paragraph = Paragraph(text, body_style)
    _, para_h = paragraph.wrap(right - left, 150 * mm)
    y -= 16 * mm
    paragraph.drawOn(c, left, y - para_h)
    y -= para_h + 8 * mm
    c.setFont(FONT, 9.5)
    c.drawString(left, y, 'Para maior clareza, firmamos o presente recibo, dando plena e geral quitação do valor '
                          'acima.')
    y -= 18 * mm
    c.setFont(FONT, 12)
    c.drawRightString(right, y, f'{doc.place}, {date_extenso(doc.date)}.')
    y -= 32 * mm
    center = (left + right) / 2
    c.setLineWidth(0.6)
    c.line(center - 45 * mm, y, center + 45 * mm, y)
    c.setFont(BOLD, 11)
    c.drawCentredString(center, y - 5 * mm, fit(doc.accountant_name, BOLD, 11, 120 * mm))
    c.setFont(FONT, 10)
    c.drawCentredString(center, y - 10 * mm, fit(doc.accountant_crc, FONT, 10, 120 * mm))
    c.drawCentredString(center, y - 15 * mm, fit(doc.office_name, FONT, 10, 120 * mm))
    c.showPage()
    c.save()
    return buffer.getvalue()
