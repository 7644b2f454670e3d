"""What every PDF of Conton shares: fonts and colours, the formatters printed on them (R$, dates, CPF/CNPJ label) and
the drawing helpers (fit a text in a width, wrap it, draw the office logo). Plain values in, no database."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

__all__ = ['FONT', 'BOLD', 'MONO', 'LINE', 'LABEL', 'money', 'document_label', 'date_br', 'date_extenso', 'fit',
           'wrap', 'wrap_chars', 'draw_logo']

log = logging.getLogger(__name__)

_MONTHS = (
    'janeiro', 'fevereiro', 'março', 'abril', 'maio', 'junho', 'julho', 'agosto', 'setembro', 'outubro', 'novembro',
    'dezembro',
)
FONT = 'Helvetica'
BOLD = 'Helvetica-Bold'
MONO = 'Courier'
LINE = colors.black
LABEL = colors.Color(0.25, 0.25, 0.25)


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


def fit(text: str, font: str, size: float, width: float) -> str:
    """Cut `text` with '...' so that it fits `width` points."""
    text = ' '.join(str(text or '').split())
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + '...', font, size) > width:
        text = text[:-1]
    return text.rstrip() + '...'


def wrap(text: str, font: str, size: float, width: float, max_lines: int) -> list[str]:
    lines: list[str] = []
    for paragraph in str(text or '').splitlines() or ['']:
        lines.extend(simpleSplit(paragraph, font, size, width) or [''])
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = fit(lines[-1] + ' ...', font, size, width)
    return lines


def wrap_chars(text: str, font: str, size: float, width: float) -> list[str]:
    """Hard-wrap a string without spaces (PIX copia e cola) at character level."""
    per_line = max(1, int(width // stringWidth('0', font, size)))
    return [text[i:i + per_line] for i in range(0, len(text), per_line)]


def draw_logo(canvas: Canvas, path: str | Path | None, x: float, y: float, width: float, height: float) -> bool:
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
