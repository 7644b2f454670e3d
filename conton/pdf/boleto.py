"""PDF documents rendered with reportlab: boleto (recibo do pagador + ficha de compensação), recibo, list report,
and the PIX QR code as PNG.

Inputs are plain dataclasses (no database). Every function returns bytes. Rendering is CPU-bound: call it through
`run.io_bound` from UI handlers.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

from PIL import Image
from reportlab.graphics.barcode import qrencoder
from reportlab.graphics.barcode.common import I2of5
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

from conton.services import boleto as boleto_codes
from conton.services.extenso import reais

__all__ = [
    'BoletoDoc',
    'ReciboDoc',
    'boleto_pdf',
    'recibo_pdf',
    'pix_qr_png',
    'table_pdf',
    'money',
    'date_br',
    'date_extenso',
]

log = logging.getLogger(__name__)

_MONTHS = (
    'janeiro', 'fevereiro', 'março', 'abril', 'maio', 'junho', 'julho', 'agosto', 'setembro', 'outubro', 'novembro',
    'dezembro',
)
_FONT = 'Helvetica'
_BOLD = 'Helvetica-Bold'
_MONO = 'Courier'
_LINE = colors.black
_LABEL = colors.Color(0.25, 0.25, 0.25)
REGISTRATION_NOTE = 'Este boleto só pode ser pago após o registro no banco.'


# --------------------------------------------------------------------------------------------------------------------
# Formatters
# --------------------------------------------------------------------------------------------------------------------

def money(amount_cents: int) -> str:
    """'R$ 1.234,56' (regular space) from an integer number of cents."""
    sign = '-' if amount_cents < 0 else ''
    whole, cents = divmod(abs(int(amount_cents)), 100)
    return f'{sign}R$ {whole:,}'.replace(',', '.') + f',{cents:02d}'


def document_label(document: str) -> str:
    """'CPF: 529.982.247-25' or 'CNPJ: 11.222.333/0001-81' as the number is (CNPJ may be alphanumeric)."""
    plain = ''.join(ch for ch in document if ch.isalnum())
    if not plain:
        return ''
    return f'{"CPF" if len(plain) == 11 else "CNPJ"}: {document}'


def date_br(value: date | None) -> str:
    """dd/mm/aaaa, or '' for None."""
    return value.strftime('%d/%m/%Y') if value else ''


def date_extenso(value: date) -> str:
    """'5 de novembro de 2026'."""
    return f'{value.day} de {_MONTHS[value.month - 1]} de {value.year}'


def _fit(text: str, font: str, size: float, width: float) -> str:
    """Cut `text` with '...' so that it fits `width` points."""
    text = ' '.join(str(text or '').split())
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + '...', font, size) > width:
        text = text[:-1]
    return text.rstrip() + '...'


def _wrap(text: str, font: str, size: float, width: float, max_lines: int) -> list[str]:
    lines: list[str] = []
    for paragraph in str(text or '').splitlines() or ['']:
        lines.extend(simpleSplit(paragraph, font, size, width) or [''])
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = _fit(lines[-1] + ' ...', font, size, width)
    return lines


def _wrap_chars(text: str, font: str, size: float, width: float) -> list[str]:
    """Hard-wrap a string without spaces (PIX copia e cola) at character level."""
    per_line = max(1, int(width // stringWidth('0', font, size)))
    return [text[i:i + per_line] for i in range(0, len(text), per_line)]


def _draw_logo(canvas: Canvas, path: str | Path | None, x: float, y: float, width: float, height: float) -> bool:
    """Draw an optional logo inside the box (x, y bottom-left); False when absent or unreadable."""
    if not path:
        return False
    try:
        image = ImageReader(str(path))
        canvas.drawImage(image, x, y, width, height, preserveAspectRatio=True, anchor='w', mask='auto')
    except Exception as error:  # a broken logo must never prevent the document
        log.warning('cannot draw logo %s: %s', path, error)
        return False
    return True


# --------------------------------------------------------------------------------------------------------------------
# Boleto
# --------------------------------------------------------------------------------------------------------------------

@dataclass(kw_only=True)
class BoletoDoc:
    """Everything printed on a boleto. `barcode44` is the 44-digit barcode; `linha` is derived from it when blank."""

    office_name: str
    office_document: str
    office_address: str
    payer_name: str
    payer_document: str
    payer_address: str
    bank_code: str
    bank_name: str
    agencia_codigo: str  # 'Agência/Código do Beneficiário' as printed, e.g. '1234-5 / 12345-6'
    carteira: str
    nosso_numero: str
    documento: str
    issue_date: date
    due_date: date | None
    amount_cents: int
    barcode44: str
    linha: str = ''
    instructions: list[str] = field(default_factory=list)
    demonstrativo: str = ''
    pix_payload: str | None = None
    office_logo_path: str | Path | None = None
    local_pagamento: str = 'Pagável em qualquer banco ou correspondente bancário até o vencimento'
    especie_doc: str = 'DS'
    aceite: str = 'N'
    processing_date: date | None = None


class _Boleto:
    """Draws one boleto on an A4 page; coordinates in points, origin bottom-left."""

    LEFT = 10 * mm
    WIDTH = 190 * mm
    RIGHT_COL = 46 * mm
    ROW = 8.4 * mm
    PIX_HEIGHT = 42 * mm
    DEMO_MAX = 40 * mm
    # header 9 + rows 8.4 + 10.5 + 8.4 + 8.4 + instructions 35 + pagador 13 + gap 2 + barcode 13
    FICHA_HEIGHT = 107.7 * mm
    BOTTOM = 12 * mm  # the barcode ends 12 mm above the bottom edge

    def __init__(self, canvas: Canvas, doc: BoletoDoc) -> None:
        self.c = canvas
        self.doc = doc
        self.linha = doc.linha or boleto_codes.linha_digitavel(doc.barcode44)
        self.bank_label = f'{doc.bank_code}-{boleto_codes.bank_dv(doc.bank_code)}'
        self.amount = money(doc.amount_cents)
        self.due = date_br(doc.due_date) if doc.due_date else 'Contra-apresentação'

    # ---- primitives -------------------------------------------------------------------------------------------------

    def box(self, x: float, top: float, width: float, height: float, label: str, value: str = '', *,
            align: str = 'left', bold: bool = False, size: float = 8.5, shade: bool = False) -> None:
        c = self.c
        if shade:
            c.setFillColor(colors.Color(0.93, 0.93, 0.93))
            c.rect(x, top - height, width, height, stroke=0, fill=1)
        c.setStrokeColor(_LINE)
        c.setLineWidth(0.5)
        c.rect(x, top - height, width, height, stroke=1, fill=0)
        c.setFillColor(_LABEL)
        c.setFont(_FONT, 5.8)
        c.drawString(x + 1.2 * mm, top - 2.4 * mm, label)
        if value:
            font = _BOLD if bold else _FONT
            text = _fit(value, font, size, width - 2.4 * mm)
            c.setFillColor(colors.black)
            c.setFont(font, size)
            baseline = top - height + 1.6 * mm
            if align == 'right':
                c.drawRightString(x + width - 1.2 * mm, baseline, text)
            else:
                c.drawString(x + 1.2 * mm, baseline, text)

    def lines_box(self, x: float, top: float, width: float, height: float, label: str, lines: list[str], *,
                  size: float = 7.5, font: str = _FONT) -> None:
        self.box(x, top, width, height, label)
        c = self.c
        c.setFillColor(colors.black)
        c.setFont(font, size)
        y = top - 2.4 * mm - size * 1.2
        for line in lines:
            if y < top - height + 1 * mm:
                break
            c.drawString(x + 1.2 * mm, y, _fit(line, font, size, width - 2.4 * mm))
            y -= size * 1.2

    def bank_header(self, top: float, right_text: str, right_size: float) -> float:
        """'Bank | 001-9 | linha digitável' header; returns the y below it."""
        c = self.c
        height = 9 * mm
        bottom = top - height
        x = self.LEFT
        c.setFillColor(colors.black)
        c.setFont(_BOLD, 11)
        c.drawString(x, bottom + 2.2 * mm, _fit(self.doc.bank_name, _BOLD, 11, 44 * mm))
        code_x = x + 46 * mm
        c.setLineWidth(1.2)
        c.line(code_x, bottom, code_x, bottom + 7 * mm)
        c.line(code_x + 20 * mm, bottom, code_x + 20 * mm, bottom + 7 * mm)
        c.setFont(_BOLD, 15)
        c.drawCentredString(code_x + 10 * mm, bottom + 1.8 * mm, self.bank_label)
        c.setFont(_BOLD, right_size)
        c.drawRightString(x + self.WIDTH, bottom + 2 * mm,
                          _fit(right_text, _BOLD, right_size, self.WIDTH - 68 * mm))
        c.setLineWidth(1.2)
        c.line(x, bottom, x + self.WIDTH, bottom)
        return bottom

    def beneficiario_lines(self) -> list[str]:
        doc = self.doc
        return [' - '.join(filter(None, (doc.office_name, document_label(doc.office_document)))), doc.office_address]

    def pagador_lines(self) -> list[str]:
        doc = self.doc
        return [' - '.join(filter(None, (doc.payer_name, document_label(doc.payer_document)))), doc.payer_address]

    # ---- parts ------------------------------------------------------------------------------------------------------

    def office_header(self, top: float) -> float:
        c = self.c
        doc = self.doc
        height = 15 * mm
        x = self.LEFT
        if _draw_logo(c, doc.office_logo_path, x, top - height + 1 * mm, 30 * mm, height - 2 * mm):
            x += 33 * mm
        text_width = self.WIDTH - (x - self.LEFT) - 50 * mm
        c.setFillColor(colors.black)
        c.setFont(_BOLD, 12)
        c.drawString(x, top - 5 * mm, _fit(doc.office_name, _BOLD, 12, text_width))
        c.setFont(_FONT, 8)
        c.drawString(x, top - 9.5 * mm, _fit(document_label(doc.office_document), _FONT, 8, text_width))
        c.drawString(x, top - 13 * mm, _fit(doc.office_address, _FONT, 8, text_width))
        c.setFont(_BOLD, 12)
        c.drawRightString(self.LEFT + self.WIDTH, top - 5 * mm, 'Recibo do Pagador')
        c.setFont(_FONT, 7)
        c.drawRightString(self.LEFT + self.WIDTH, top - 9.5 * mm, f'Vencimento: {self.due}')
        c.drawRightString(self.LEFT + self.WIDTH, top - 13 * mm, f'Valor: {self.amount}')
        return top - height - 1 * mm

    def recibo(self, top: float, bottom: float) -> float:
        """Recibo do pagador between `top` and `bottom`; the demonstrativo box takes the free height."""
        doc = self.doc
        x = self.LEFT
        left_w = self.WIDTH - self.RIGHT_COL
        rx = x + left_w
        y = self.bank_header(top, self.linha, 10)
        tall = 10.5 * mm
        self.lines_box(x, y, left_w, tall, 'Beneficiário', self.beneficiario_lines())
        self.box(rx, y, self.RIGHT_COL, tall, 'Agência/Código do Beneficiário', doc.agencia_codigo, align='right')
        y -= tall
        self.lines_box(x, y, left_w, tall, 'Pagador', self.pagador_lines())
        self.box(rx, y, self.RIGHT_COL, tall, 'Vencimento', self.due, align='right', bold=True, size=10, shade=True)
        y -= tall
        widths = (38 * mm, 40 * mm, 32 * mm, left_w - 110 * mm)
        cells = (('Nº do documento', doc.documento), ('Nosso número', doc.nosso_numero),
                 ('Data do documento', date_br(doc.issue_date)), ('Carteira', doc.carteira))
        cx = x
        for width, (label, value) in zip(widths, cells):
            self.box(cx, y, width, self.ROW, label, value)
            cx += width
        self.box(rx, y, self.RIGHT_COL, self.ROW, '(=) Valor do documento', self.amount, align='right', bold=True,
                 size=10, shade=True)
        y -= self.ROW
        pix_h = self.PIX_HEIGHT if doc.pix_payload else 0
        demo_h = min(self.DEMO_MAX, max(12 * mm, y - bottom - 4.5 * mm - pix_h))
        max_lines = int((demo_h - 3.5 * mm) // (7.5 * 1.2))
        lines = _wrap(doc.demonstrativo, _FONT, 7.5, self.WIDTH - 2.4 * mm, max_lines)
        self.lines_box(x, y, self.WIDTH, demo_h, 'Demonstrativo', lines)
        y -= demo_h
        c = self.c
        c.setFillColor(colors.black)
        c.setFont('Helvetica-Oblique', 6.5)
        c.drawString(x, y - 3 * mm, REGISTRATION_NOTE)
        c.setFont(_FONT, 6)
        c.drawRightString(x + self.WIDTH, y - 3 * mm, 'Autenticação mecânica')
        y -= 4.5 * mm
        if doc.pix_payload:
            y = self.pix_area(y)
        return y

    def pix_area(self, top: float) -> float:
        c = self.c
        doc = self.doc
        assert doc.pix_payload
        qr_size = self.PIX_HEIGHT - 2 * mm
        x = self.LEFT
        height = self.PIX_HEIGHT
        c.setStrokeColor(_LINE)
        c.setLineWidth(0.5)
        c.roundRect(x, top - height, self.WIDTH, height, 2 * mm, stroke=1, fill=0)
        _draw_qr(c, doc.pix_payload, x + self.WIDTH - qr_size - 1 * mm, top - qr_size - 1 * mm, qr_size)
        text_x = x + 3 * mm
        text_w = self.WIDTH - qr_size - 8 * mm
        c.setFillColor(colors.black)
        c.setFont(_BOLD, 12)
        c.drawString(text_x, top - 6 * mm, 'Pague com PIX')
        c.setFont(_FONT, 7.5)
        c.drawString(text_x, top - 10.5 * mm, 'Aponte a câmera do app do seu banco para o QR Code ao lado ou use o '
                                              'PIX Copia e Cola:')
        c.setFont(_MONO, 7)
        y = top - 15 * mm
        for line in _wrap_chars(doc.pix_payload, _MONO, 7, text_w):
            c.drawString(text_x, y, line)
            y -= 8.5
        return top - height

    def cut_line(self, y: float) -> None:
        c = self.c
        c.setStrokeColor(colors.Color(0.3, 0.3, 0.3))
        c.setLineWidth(0.5)
        c.setDash(2, 2)
        c.line(self.LEFT, y, self.LEFT + self.WIDTH, y)
        c.setDash()
        c.setFillColor(colors.black)
        c.setFont(_FONT, 5.5)
        c.drawRightString(self.LEFT + self.WIDTH, y + 1 * mm, 'Corte na linha pontilhada')

    def ficha(self, top: float) -> float:
        """Ficha de compensação starting at `top`; returns the bottom of the barcode."""
        doc = self.doc
        x = self.LEFT
        left_w = self.WIDTH - self.RIGHT_COL
        rx = x + left_w
        row = self.ROW
        y = self.bank_header(top, self.linha, 11.5)
        self.box(x, y, left_w, row, 'Local de pagamento', doc.local_pagamento, size=8)
        self.box(rx, y, self.RIGHT_COL, row, 'Vencimento', self.due, align='right', bold=True, size=10, shade=True)
        y -= row
        tall = 10.5 * mm
        self.lines_box(x, y, left_w, tall, 'Beneficiário', self.beneficiario_lines())
        self.box(rx, y, self.RIGHT_COL, tall, 'Agência/Código do Beneficiário', doc.agencia_codigo, align='right')
        y -= tall
        processing = date_br(doc.processing_date or doc.issue_date)
        cells = ((28, 'Data do documento', date_br(doc.issue_date)), (38, 'Nº do documento', doc.documento),
                 (20, 'Espécie doc.', doc.especie_doc), (14, 'Aceite', doc.aceite),
                 (left_w / mm - 100, 'Data do processamento', processing))
        cx = x
        for width, label, value in cells:
            self.box(cx, y, width * mm, row, label, value)
            cx += width * mm
        self.box(rx, y, self.RIGHT_COL, row, 'Nosso número', doc.nosso_numero, align='right')
        y -= row
        cells = ((28, 'Uso do banco', ''), (20, 'Carteira', doc.carteira), (16, 'Espécie', 'R$'),
                 (38, 'Quantidade', ''), (left_w / mm - 102, '(x) Valor', ''))
        cx = x
        for width, label, value in cells:
            self.box(cx, y, width * mm, row, label, value)
            cx += width * mm
        self.box(rx, y, self.RIGHT_COL, row, '(=) Valor do documento', self.amount, align='right', bold=True,
                 size=10, shade=True)
        y -= row
        side = ('(-) Desconto / Abatimento', '(-) Outras deduções', '(+) Mora / Multa', '(+) Outros acréscimos',
                '(=) Valor cobrado')
        side_h = 7 * mm
        block_h = side_h * len(side)
        instructions: list[str] = []
        for item in doc.instructions:
            instructions.extend(_wrap(item, _FONT, 7.5, left_w - 2.4 * mm, 10))
        self.lines_box(x, y, left_w, block_h, 'Instruções (texto de responsabilidade do beneficiário)',
                       instructions[:11])
        for index, label in enumerate(side):
            self.box(rx, y - index * side_h, self.RIGHT_COL, side_h, label)
        y -= block_h
        payer_h = 13 * mm
        self.lines_box(x, y, self.WIDTH, payer_h, 'Pagador', self.pagador_lines())
        c = self.c
        c.setFillColor(_LABEL)
        c.setFont(_FONT, 5.8)
        c.drawString(x + 1.2 * mm, y - payer_h + 1.2 * mm, 'Sacador/Avalista:')
        c.drawString(rx + 1.2 * mm, y - payer_h + 1.2 * mm, 'Código de baixa')
        y -= payer_h
        c.setFillColor(colors.black)
        c.setFont(_FONT, 6)
        c.drawRightString(x + self.WIDTH, y - 2.6 * mm, 'Autenticação mecânica')
        c.setFont(_BOLD, 7)
        c.drawRightString(x + self.WIDTH, y - 5.5 * mm, 'Ficha de Compensação')
        return self.barcode(y - 2 * mm)

    def barcode(self, top: float) -> float:
        """Interleaved 2 of 5, narrow bar 0.254 mm, ratio 1:3 (44 digits -> 405 modules ~ 102.9 mm), 13 mm high."""
        bar = I2of5(self.doc.barcode44, barWidth=0.254 * mm, ratio=3, barHeight=13 * mm, checksum=0, bearers=0,
                    quiet=0, humanReadable=0)
        bottom = top - 13 * mm
        bar.drawOn(self.c, self.LEFT + 2 * mm, bottom)
        return bottom


def _check_boleto(doc: BoletoDoc) -> None:
    """The printed values must be the ones in the barcode: a mismatch means a bug upstream, never print it."""
    code = doc.barcode44
    if not isinstance(code, str) or code[:1] == '8':
        raise ValueError('barcode44 must be a 44-digit cobrança barcode (arrecadação barcodes start with 8)')
    boleto_codes.barcode_from_linha(boleto_codes.linha_digitavel(code))  # validates length and check digits
    if doc.linha and boleto_codes.barcode_from_linha(doc.linha) != code:
        raise ValueError('linha digitável does not match the barcode')
    if code[:3] != doc.bank_code:
        raise ValueError(f'barcode bank {code[:3]} does not match bank_code {doc.bank_code}')
    if int(code[9:19]) != doc.amount_cents:
        raise ValueError(f'barcode amount {int(code[9:19])} does not match amount_cents {doc.amount_cents}')
    factor = f'{boleto_codes.fator_vencimento(doc.due_date):04d}' if doc.due_date else '0000'
    if code[5:9] != factor:
        raise ValueError(f'barcode due-date factor {code[5:9]} does not match the due date ({factor})')


def boleto_pdf(doc: BoletoDoc) -> bytes:
    """A4 boleto: "Recibo do Pagador" on top (with the PIX QR code when `pix_payload` is set), a cut line and the
    "Ficha de Compensação" with the Interleaved 2 of 5 barcode at the bottom."""
    _check_boleto(doc)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(f'Boleto {doc.documento}')
    canvas.setAuthor(doc.office_name)
    canvas.setSubject(f'Boleto {doc.bank_name} - {money(doc.amount_cents)}')
    drawer = _Boleto(canvas, doc)
    ficha_top = _Boleto.BOTTOM + _Boleto.FICHA_HEIGHT
    cut = ficha_top + 4 * mm
    y = drawer.office_header(A4[1] - 10 * mm)
    drawer.recibo(y, cut + 3 * mm)
    drawer.cut_line(cut)
    bottom = drawer.ficha(ficha_top)
    assert abs(bottom - _Boleto.BOTTOM) < 0.5 * mm, bottom / mm
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------------------------------
# Recibo
# --------------------------------------------------------------------------------------------------------------------

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
    from decimal import Decimal

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
    if _draw_logo(c, doc.office_logo_path, left, top - 18 * mm, 35 * mm, 18 * mm):
        x += 39 * mm
    c.setFont(_BOLD, 13)
    c.drawString(x, top - 5 * mm, _fit(doc.office_name, _BOLD, 13, right - x))
    c.setFont(_FONT, 9)
    c.drawString(x, top - 10 * mm, _fit(document_label(doc.office_document), _FONT, 9, right - x))
    c.drawString(x, top - 14.5 * mm, _fit(doc.office_address, _FONT, 9, right - x))
    c.setLineWidth(0.8)
    c.line(left, top - 21 * mm, right, top - 21 * mm)

    y = top - 36 * mm
    c.setFont(_BOLD, 18)
    c.drawString(left, y, f'RECIBO Nº {doc.number:06d}')
    value_text = f'Valor: {money(doc.amount_cents)}'
    box_w = stringWidth(value_text, _BOLD, 14) + 10 * mm
    c.setLineWidth(1)
    c.rect(right - box_w, y - 4 * mm, box_w, 11 * mm, stroke=1, fill=0)
    c.setFont(_BOLD, 14)
    c.drawCentredString(right - box_w / 2, y - 0.2 * mm, value_text)

    body_style = ParagraphStyle('recibo', fontName=_FONT, fontSize=12, leading=19, alignment=4)
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
    c.setFont(_FONT, 9.5)
    c.drawString(left, y, 'Para maior clareza, firmamos o presente recibo, dando plena e geral quitação do valor '
                          'acima.')
    y -= 18 * mm
    c.setFont(_FONT, 12)
    c.drawRightString(right, y, f'{doc.place}, {date_extenso(doc.date)}.')
    y -= 32 * mm
    center = (left + right) / 2
    c.setLineWidth(0.6)
    c.line(center - 45 * mm, y, center + 45 * mm, y)
    c.setFont(_BOLD, 11)
    c.drawCentredString(center, y - 5 * mm, _fit(doc.accountant_name, _BOLD, 11, 120 * mm))
    c.setFont(_FONT, 10)
    c.drawCentredString(center, y - 10 * mm, _fit(doc.accountant_crc, _FONT, 10, 120 * mm))
    c.drawCentredString(center, y - 15 * mm, _fit(doc.office_name, _FONT, 10, 120 * mm))
    c.showPage()
    c.save()
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------------------------------
# PIX QR as PNG
# --------------------------------------------------------------------------------------------------------------------

@lru_cache(maxsize=256)
def _qr_modules(data: str, level: str = 'M') -> tuple[tuple[bool, ...], ...]:
    """QR matrix from reportlab's encoder (the one behind QrCodeWidget), error correction M, smallest version."""
    code = qrencoder.QRCode(None, getattr(qrencoder.QRErrorCorrectLevel, level))
    code.addData(data)
    code.make()
    return tuple(tuple(bool(cell) for cell in row) for row in code.modules)


def _draw_qr(canvas: Canvas, data: str, x: float, y: float, size: float, border: int = 4) -> None:
    """Draw the QR code of `data` in a `size` square at (x, y) bottom-left, with a `border`-module quiet zone.

    Same geometry as reportlab's QrCodeWidget, but one filled path of horizontal runs instead of hundreds of shape
    objects (about 10x faster)."""
    modules = _qr_modules(data)
    box = size / (len(modules) + 2 * border)
    path = canvas.beginPath()
    for row_index, row in enumerate(modules):
        top = y + size - (row_index + border + 1) * box
        col = 0
        while col < len(row):
            if row[col]:
                start = col
                while col < len(row) and row[col]:
                    col += 1
                path.rect(x + (start + border) * box, top, (col - start) * box, box)
            else:
                col += 1
    canvas.setFillColor(colors.black)
    canvas.drawPath(path, stroke=0, fill=1)


def pix_qr_png(payload: str, box_size: int = 8, border: int = 4) -> bytes:
    """PNG (1-bit) of the QR code of `payload`: `box_size` pixels per module, `border` modules of quiet zone."""
    if box_size < 1 or border < 0:
        raise ValueError('box_size must be >= 1 and border >= 0')
    modules = _qr_modules(payload)
    count = len(modules)
    side = count + 2 * border
    image = Image.new('1', (side, side), 1)
    pixels = image.load()
    for row, cells in enumerate(modules):
        for col, dark in enumerate(cells):
            if dark:
                pixels[col + border, row + border] = 0
    image = image.resize((side * box_size, side * box_size), Image.Resampling.NEAREST)
    output = io.BytesIO()
    image.save(output, format='PNG', optimize=True)
    return output.getvalue()


# --------------------------------------------------------------------------------------------------------------------
# List report
# --------------------------------------------------------------------------------------------------------------------

class _NumberedCanvas(Canvas):
    """Canvas that writes 'Página X de Y' and the footer on every page once the page count is known."""

    footer_text: str = ''

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self) -> None:  # noqa: N802 - reportlab API
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._draw_footer(total)
            super().showPage()
        super().save()

    def _draw_footer(self, total: int) -> None:
        width, _ = self._pagesize
        self.setFont(_FONT, 7.5)
        self.setFillColor(_LABEL)
        if self.footer_text:
            self.drawString(12 * mm, 7 * mm, _fit(self.footer_text, _FONT, 7.5, width - 60 * mm))
        self.drawRightString(width - 12 * mm, 7 * mm, f'Página {self._pageNumber} de {total}')


def table_pdf(title: str, columns: list[str], rows: list[list[str]], footer: str | None = None) -> bytes:
    """Landscape A4 list report: title, a table whose header row repeats on every page, optional footer text and
    page numbers."""
    buffer = io.BytesIO()
    page = landscape(A4)
    margin = 12 * mm
    document = SimpleDocTemplate(buffer, pagesize=page, leftMargin=margin, rightMargin=margin, topMargin=margin,
                                 bottomMargin=14 * mm, title=title, pageCompression=1)
    title_style = ParagraphStyle('title', fontName=_BOLD, fontSize=14, leading=17, spaceAfter=4 * mm)
    head_style = ParagraphStyle('head', fontName=_BOLD, fontSize=8, leading=10, textColor=colors.white)
    cell_style = ParagraphStyle('cell', fontName=_FONT, fontSize=8, leading=10)
    count = max(1, len(columns))
    available = page[0] - 2 * margin
    # Column widths follow the longest text of each column (capped), so short codes do not take a whole share
    lengths = []
    for index in range(count):
        sample = [len(str(columns[index])) if index < len(columns) else 0]
        sample += [len(str(row[index])) for row in rows[:500] if index < len(row)]
        lengths.append(min(max(max(sample), 4), 60))
    total = sum(lengths)
    widths = [available * length / total for length in lengths]
    data = [[Paragraph(escape(str(name)), head_style) for name in columns]]
    room = [width - 5 for width in widths]

    def cell(index: int, value: object) -> object:
        # A Paragraph (wrapping) only where the text does not fit: building one per cell costs ~5 ms a row.
        text = '' if value is None else str(value)
        if index < count and stringWidth(text, _FONT, 8) <= room[index] and '\n' not in text:
            return text
        return Paragraph(escape(text), cell_style)

    for row in rows:
        cells = [cell(index, value) for index, value in enumerate(row)]
        cells += [''] * (count - len(cells))
        data.append(cells[:count])
    story: list = [Paragraph(escape(title), title_style)]
    if rows:
        table = LongTable(data, colWidths=widths, repeatRows=1)
        table.setStyle(TableStyle([
            ('BACKGROUND', (0, 0), (-1, 0), colors.Color(0.2, 0.3, 0.45)),
            ('ROWBACKGROUNDS', (0, 1), (-1, -1), [colors.white, colors.Color(0.94, 0.95, 0.97)]),
            ('GRID', (0, 0), (-1, -1), 0.25, colors.Color(0.7, 0.7, 0.7)),
            ('VALIGN', (0, 0), (-1, -1), 'TOP'),
            ('FONTNAME', (0, 1), (-1, -1), _FONT),
            ('FONTSIZE', (0, 1), (-1, -1), 8),
            ('LEADING', (0, 1), (-1, -1), 10),
            ('TOPPADDING', (0, 0), (-1, -1), 2),
            ('BOTTOMPADDING', (0, 0), (-1, -1), 2),
        ]))
        story.append(table)
    else:
        story.append(Spacer(1, 4 * mm))
        story.append(Paragraph('Nenhum registro encontrado.', cell_style))

    class _Canvas(_NumberedCanvas):
        footer_text = footer or ''

    document.build(story, canvasmaker=_Canvas)
    return buffer.getvalue()
