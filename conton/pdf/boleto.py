"""The boleto (A4): "Recibo do Pagador" on top, with the PIX QR code when there is one, a cut line and the "Ficha de
Compensação" with the Interleaved 2 of 5 barcode. The printed values are checked against the barcode first."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from reportlab.graphics.barcode.common import I2of5
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from ..br import boleto as boleto_codes
from .common import BOLD, FONT, LABEL, LINE, MONO, date_br, document_label, draw_logo, fit, money, wrap, wrap_chars
from .qr import draw_qr

__all__ = ['BoletoDoc', 'boleto_pdf', 'REGISTRATION_NOTE']

REGISTRATION_NOTE = 'Este boleto só pode ser pago após o registro no banco.'


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
        c.setStrokeColor(LINE)
        c.setLineWidth(0.5)
        c.rect(x, top - height, width, height, stroke=1, fill=0)
        c.setFillColor(LABEL)
        c.setFont(FONT, 5.8)
        c.drawString(x + 1.2 * mm, top - 2.4 * mm, label)
        if value:
            font = BOLD if bold else FONT
            text = fit(value, font, size, width - 2.4 * mm)
            c.setFillColor(colors.black)
            c.setFont(font, size)
            baseline = top - height + 1.6 * mm
            if align == 'right':
                c.drawRightString(x + width - 1.2 * mm, baseline, text)
            else:
                c.drawString(x + 1.2 * mm, baseline, text)

    def lines_box(self, x: float, top: float, width: float, height: float, label: str, lines: list[str], *,
                  size: float = 7.5, font: str = FONT) -> None:
        self.box(x, top, width, height, label)
        c = self.c
        c.setFillColor(colors.black)
        c.setFont(font, size)
        y = top - 2.4 * mm - size * 1.2
        for line in lines:
            if y < top - height + 1 * mm:
                break
            c.drawString(x + 1.2 * mm, y, fit(line, font, size, width - 2.4 * mm))
            y -= size * 1.2

    def bank_header(self, top: float, right_text: str, right_size: float) -> float:
        """'Bank | 001-9 | linha digitável' header; returns the y below it."""
        c = self.c
        height = 9 * mm
        bottom = top - height
        x = self.LEFT
        c.setFillColor(colors.black)
        c.setFont(BOLD, 11)
        c.drawString(x, bottom + 2.2 * mm, fit(self.doc.bank_name, BOLD, 11, 44 * mm))
        code_x = x + 46 * mm
        c.setLineWidth(1.2)
        c.line(code_x, bottom, code_x, bottom + 7 * mm)
        c.line(code_x + 20 * mm, bottom, code_x + 20 * mm, bottom + 7 * mm)
        c.setFont(BOLD, 15)
        c.drawCentredString(code_x + 10 * mm, bottom + 1.8 * mm, self.bank_label)
        c.setFont(BOLD, right_size)
        c.drawRightString(x + self.WIDTH, bottom + 2 * mm,
                          fit(right_text, BOLD, right_size, self.WIDTH - 68 * mm))
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
        if draw_logo(c, doc.office_logo_path, x, top - height + 1 * mm, 30 * mm, height - 2 * mm):
            x += 33 * mm
        text_width = self.WIDTH - (x - self.LEFT) - 50 * mm
        c.setFillColor(colors.black)
        c.setFont(BOLD, 12)
        c.drawString(x, top - 5 * mm, fit(doc.office_name, BOLD, 12, text_width))
        c.setFont(FONT, 8)
        c.drawString(x, top - 9.5 * mm, fit(document_label(doc.office_document), FONT, 8, text_width))
        c.drawString(x, top - 13 * mm, fit(doc.office_address, FONT, 8, text_width))
        c.setFont(BOLD, 12)
        c.drawRightString(self.LEFT + self.WIDTH, top - 5 * mm, 'Recibo do Pagador')
        c.setFont(FONT, 7)
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
        lines = wrap(doc.demonstrativo, FONT, 7.5, self.WIDTH - 2.4 * mm, max_lines)
        self.lines_box(x, y, self.WIDTH, demo_h, 'Demonstrativo', lines)
        y -= demo_h
        c = self.c
        c.setFillColor(colors.black)
        c.setFont('Helvetica-Oblique', 6.5)
        c.drawString(x, y - 3 * mm, REGISTRATION_NOTE)
        c.setFont(FONT, 6)
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
        c.setStrokeColor(LINE)
        c.setLineWidth(0.5)
        c.roundRect(x, top - height, self.WIDTH, height, 2 * mm, stroke=1, fill=0)
        draw_qr(c, doc.pix_payload, x + self.WIDTH - qr_size - 1 * mm, top - qr_size - 1 * mm, qr_size)
        text_x = x + 3 * mm
        text_w = self.WIDTH - qr_size - 8 * mm
        c.setFillColor(colors.black)
        c.setFont(BOLD, 12)
        c.drawString(text_x, top - 6 * mm, 'Pague com PIX')
        c.setFont(FONT, 7.5)
        c.drawString(text_x, top - 10.5 * mm, 'Aponte a câmera do app do seu banco para o QR Code ao lado ou use o '
                                              'PIX Copia e Cola:')
        c.setFont(MONO, 7)
        y = top - 15 * mm
        for line in wrap_chars(doc.pix_payload, MONO, 7, text_w):
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
        c.setFont(FONT, 5.5)
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
            instructions.extend(wrap(item, FONT, 7.5, left_w - 2.4 * mm, 10))
        self.lines_box(x, y, left_w, block_h, 'Instruções (texto de responsabilidade do beneficiário)',
                       instructions[:11])
        for index, label in enumerate(side):
            self.box(rx, y - index * side_h, self.RIGHT_COL, side_h, label)
        y -= block_h
        payer_h = 13 * mm
        self.lines_box(x, y, self.WIDTH, payer_h, 'Pagador', self.pagador_lines())
        c = self.c
        c.setFillColor(LABEL)
        c.setFont(FONT, 5.8)
        c.drawString(x + 1.2 * mm, y - payer_h + 1.2 * mm, 'Sacador/Avalista:')
        c.drawString(rx + 1.2 * mm, y - payer_h + 1.2 * mm, 'Código de baixa')
        y -= payer_h
        c.setFillColor(colors.black)
        c.setFont(FONT, 6)
        c.drawRightString(x + self.WIDTH, y - 2.6 * mm, 'Autenticação mecânica')
        c.setFont(BOLD, 7)
        c.drawRightString(x + self.WIDTH, y - 5.5 * mm, 'Ficha de Compensação')
        return self.barcode(y - 2 * mm)

    def barcode(self, top: float) -> float:
        """Interleaved 2 of 5, narrow bar 0.254 mm, ratio 1:3 (44 digits -> 405 modules ~ 102.9 mm), 13 mm high."""
        bar = I2of5(self.doc.barcode44, barWidth=0.254 * mm, ratio=3, barHeight=13 * mm, checksum=0, bearers=0,
                    quiet=0, humanReadable=0)
        bottom = top - 13 * mm
        bar.drawOn(self.c, self.LEFT + 2 * mm, bottom)
        return bottom
