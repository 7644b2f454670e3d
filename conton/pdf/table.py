"""The list report: a landscape A4 table whose header repeats on every page, with a footer and page numbers."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

from .common import BOLD, FONT, LABEL, fit

__all__ = ['table_pdf']


def table_pdf(title: str, columns: list[str], rows: list[list[str]], footer: str | None = None) -> bytes:
    """Landscape A4 list report: title, a table whose header row repeats on every page, optional footer text and
    page numbers."""
    buffer = io.BytesIO()
    page = landscape(A4)
    margin = 12 * mm
    document = SimpleDocTemplate(buffer, pagesize=page, leftMargin=margin, rightMargin=margin, topMargin=margin,
                                 bottomMargin=14 * mm, title=title, pageCompression=1)
    title_style = ParagraphStyle('title', fontName=BOLD, fontSize=14, leading=17, spaceAfter=4 * mm)
    head_style = ParagraphStyle('head', fontName=BOLD, fontSize=8, leading=10, textColor=colors.white)
    cell_style = ParagraphStyle('cell', fontName=FONT, fontSize=8, leading=10)
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
        if index < count and stringWidth(text, FONT, 8) <= room[index] and '\n' not in text:
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
            ('FONTNAME', (0, 1), (-1, -1), FONT),
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
        self.setFont(FONT, 7.5)
        self.setFillColor(LABEL)
        if self.footer_text:
            self.drawString(12 * mm, 7 * mm, fit(self.footer_text, FONT, 7.5, width - 60 * mm))
        self.drawRightString(width - 12 * mm, 7 * mm, f'Página {self._pageNumber} de {total}')
