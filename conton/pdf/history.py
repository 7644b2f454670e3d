"""A client's history for a period (A4 portrait): the office and the client on top, then one row per entry — when,
kind, title with its details, situation — in a table whose header repeats on every page, page numbers at the foot.
Pure: plain values in, bytes out."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

from .common import BOLD, FONT, LABEL, document_label
from .table import _NumberedCanvas

__all__ = ['HistoryDoc', 'HistoryDocEntry', 'history_pdf']


@dataclass(frozen=True)
class HistoryDocEntry:
    when: str  # already formatted ('05/03/2026' or '05/03/2026 14:03')
    kind: str  # 'Atendimento', 'Protocolo' ...
    title: str
    detail: str = ''
    status: str = ''


@dataclass(kw_only=True)
class HistoryDoc:
    office_name: str
    office_document: str = ''
    client_name: str
    client_document: str = ''
    period: str  # 'Todo o período', '01/01/2026 a 31/03/2026'
    kinds: str = 'Todos os tipos'
    entries: list[HistoryDocEntry] = field(default_factory=list)
    total: int = 0  # entries in the period (more than listed when the report was cut)
    printed: str = ''


def history_pdf(doc: HistoryDoc) -> bytes:
    buffer = io.BytesIO()
    margin = 15 * mm
    document = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=margin, rightMargin=margin, topMargin=margin,
                                 bottomMargin=16 * mm, title=f'Histórico — {doc.client_name}', author=doc.office_name,
                                 pageCompression=1)
    office_style = ParagraphStyle('office', fontName=BOLD, fontSize=12, leading=15)
    small = ParagraphStyle('small', fontName=FONT, fontSize=8.5, leading=11, textColor=LABEL)
    title_style = ParagraphStyle('title', fontName=BOLD, fontSize=14, leading=18, spaceBefore=4 * mm)
    facts = ParagraphStyle('facts', fontName=FONT, fontSize=9.5, leading=13)
    head = ParagraphStyle('head', fontName=BOLD, fontSize=8, leading=10, textColor=colors.white)
    cell = ParagraphStyle('cell', fontName=FONT, fontSize=8, leading=10)
    cell_bold = ParagraphStyle('cellb', fontName=BOLD, fontSize=8, leading=10)
    cell_small = ParagraphStyle('cells', fontName=FONT, fontSize=7.5, leading=9.5, textColor=LABEL)

    story: list = [Paragraph(escape(doc.office_name), office_style)]
    if doc.office_document:
        story.append(Paragraph(escape(document_label(doc.office_document)), small))
    story.append(Paragraph('Histórico do cliente', title_style))
    client = escape(doc.client_name)
    if doc.client_document:
        client += f' — {escape(document_label(doc.client_document))}'
    story.append(Paragraph(f'<b>Cliente:</b> {client}', facts))
    story.append(Paragraph(f'<b>Período:</b> {escape(doc.period)} · <b>Tipos:</b> {escape(doc.kinds)}', facts))
    shown = len(doc.entries)
    count = f'{doc.total} registro{"s" if doc.total != 1 else ""}'
    if doc.total > shown:
        count += f' (os {shown} mais recentes listados; escolha um período menor para ver os demais)'
    story.append(Paragraph(escape(count), facts))
    story.append(Spacer(1, 4 * mm))
    if doc.entries:
        width = A4[0] - 2 * margin
        widths = [24 * mm, 27 * mm, width - 24 * mm - 27 * mm - 30 * mm, 30 * mm]
        data = [[Paragraph(t, head) for t in ('Data', 'Tipo', 'Assunto', 'Situação')]]
        for e in doc.entries:
            subject = [Paragraph(escape(e.title), cell_bold)]
            if e.detail:
                subject.append(Paragraph(escape(e.detail), cell_small))
            data.append([Paragraph(escape(e.when), cell), Paragraph(escape(e.kind), cell), subject,
                         Paragraph(escape(e.status), cell)])
        table = LongTable(data, colWidths=widths, repeatRows=1)
        table.setStyle(TableStyle([
            ('BACKGROUND', (0, 0), (-1, 0), colors.Color(0.2, 0.3, 0.45)),
            ('ROWBACKGROUNDS', (0, 1), (-1, -1), [colors.white, colors.Color(0.94, 0.95, 0.97)]),
            ('GRID', (0, 0), (-1, -1), 0.25, colors.Color(0.7, 0.7, 0.7)),
            ('VALIGN', (0, 0), (-1, -1), 'TOP'),
            ('TOPPADDING', (0, 0), (-1, -1), 2),
            ('BOTTOMPADDING', (0, 0), (-1, -1), 3),
        ]))
        story.append(table)
    else:
        story.append(Paragraph('Nenhum registro no período.', facts))

    class _Canvas(_NumberedCanvas):
        footer_text = f'{doc.client_name} · histórico · {doc.period}' + (
            f' · impresso em {doc.printed}' if doc.printed else '')

    document.build(story, canvasmaker=_Canvas)
    return buffer.getvalue()
