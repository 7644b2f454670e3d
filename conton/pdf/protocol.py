"""The protocol receipt: a printable record of one formal delivery of documents to a client (A4), listing each
document with its size and SHA-256 and every event of its log (created, e-mailed, viewed, downloaded, confirmed,
delivered, cancelled: when, who, from which IP). Pure: plain values in, bytes out."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from .common import BOLD, FONT, LABEL, MONO, date_br, document_label, fit, money, wrap

__all__ = ['ProtocolDoc', 'ProtocolDocFile', 'ProtocolDocEvent', 'protocol_pdf']


@dataclass(frozen=True)
class ProtocolDocFile:
    name: str
    size: str  # already formatted ('1,2 MB')
    sha256: str


@dataclass(frozen=True)
class ProtocolDocEvent:
    when: str  # already formatted in the office time zone ('05/11/2026 14:03')
    label: str
    who: str = ''
    ip: str = ''
    detail: str = ''


@dataclass(kw_only=True)
class ProtocolDoc:
    number: str
    office_name: str
    office_document: str
    client_name: str
    client_document: str
    title: str
    kind_label: str
    status_label: str
    created: str
    competence: str = ''  # 'mm/aaaa'
    due_date: date | None = None
    amount_cents: int | None = None
    note: str = ''
    files: list[ProtocolDocFile] = field(default_factory=list)
    events: list[ProtocolDocEvent] = field(default_factory=list)
    printed: str = ''


def protocol_pdf(doc: ProtocolDoc) -> bytes:
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=A4, pageCompression=1)
    c.setTitle(f'Protocolo {doc.number}')
    c.setAuthor(doc.office_name)
    page = _Page(c)
    page.header(doc)
    page.facts([('Cliente', doc.client_name), ('', document_label(doc.client_document)),
                ('Documento', f'{doc.kind_label} — {doc.title}' if doc.title != doc.kind_label else doc.kind_label),
                ('Competência', doc.competence), ('Vencimento', date_br(doc.due_date)),
                ('Valor', money(doc.amount_cents) if doc.amount_cents is not None else ''),
                ('Situação', doc.status_label), ('Enviado em', doc.created)])
    if doc.note:
        page.paragraph('Observação', doc.note)
    page.section(f'Documentos ({len(doc.files)})')
    for n, f in enumerate(doc.files, 1):
        page.need(11 * mm)
        page.text(f'{n}. {f.name}', BOLD, 9, indent=0)
        page.text(f'{f.size} · SHA-256: ', FONT, 8, indent=5 * mm, keep_line=True)
        page.text(f.sha256, MONO, 7.5, indent=5 * mm + c.stringWidth(f'{f.size} · SHA-256: ', FONT, 8))
    page.section('Histórico')
    for e in doc.events:
        page.need(9 * mm)
        who = ' · '.join(p for p in (e.who, f'IP {e.ip}' if e.ip else '') if p)
        page.text(f'{e.when}  {e.label}', BOLD, 9, indent=0)
        if who or e.detail:
            page.text(' — '.join(p for p in (who, e.detail) if p), FONT, 8.5, indent=5 * mm)
    page.footer(doc)
    c.save()
    return buffer.getvalue()


class _Page:
    """A top-down writer that starts a new page when the next block does not fit."""

    def __init__(self, canvas: Canvas) -> None:
        self.c = canvas
        self.width, self.height = A4
        self.left, self.right = 20 * mm, self.width - 20 * mm
        self.y = self.height - 20 * mm
        self.number = ''

    def header(self, doc: ProtocolDoc) -> None:
        self.number = doc.number
        c = self.c
        c.setFont(BOLD, 13)
        c.drawString(self.left, self.y, fit(doc.office_name, BOLD, 13, self.right - self.left - 60 * mm))
        c.setFont(BOLD, 12)
        c.drawRightString(self.right, self.y, f'PROTOCOLO {doc.number}')
        self.y -= 5 * mm
        c.setFont(FONT, 9)
        c.setFillColor(LABEL)
        c.drawString(self.left, self.y, document_label(doc.office_document))
        c.drawRightString(self.right, self.y, 'Comprovante de entrega de documentos')
        c.setFillColorRGB(0, 0, 0)
        self.y -= 4 * mm
        c.line(self.left, self.y, self.right, self.y)
        self.y -= 8 * mm

    def facts(self, pairs: list[tuple[str, str]]) -> None:
        for label, value in pairs:
            if not value:
                continue
            self.need(6 * mm)
            self.c.setFont(FONT, 9)
            self.c.setFillColor(LABEL)
            self.c.drawString(self.left, self.y, label)
            self.c.setFillColorRGB(0, 0, 0)
            self.c.setFont(BOLD if label in ('Cliente', 'Situação') else FONT, 10)
            self.c.drawString(self.left + 32 * mm, self.y, fit(value, FONT, 10, self.right - self.left - 32 * mm))
            self.y -= 5.5 * mm

    def paragraph(self, label: str, text: str) -> None:
        self.y -= 2 * mm
        self.text(label, BOLD, 9, indent=0)
        for line in wrap(text, FONT, 9, self.right - self.left, 12):
            self.text(line, FONT, 9, indent=0)

    def section(self, title: str) -> None:
        self.need(14 * mm)
        self.y -= 4 * mm
        self.c.setFont(BOLD, 11)
        self.c.drawString(self.left, self.y, title)
        self.y -= 2 * mm
        self.c.line(self.left, self.y, self.right, self.y)
        self.y -= 5 * mm

    def text(self, text: str, font: str, size: float, *, indent: float, keep_line: bool = False) -> None:
        self.c.setFont(font, size)
        self.c.drawString(self.left + indent, self.y, fit(text, font, size, self.right - self.left - indent))
        if not keep_line:
            self.y -= size * 0.45 * mm + 1.6 * mm

    def need(self, height: float) -> None:
        if self.y - height < 25 * mm:
            self._foot()
            self.c.showPage()
            self.y = self.height - 20 * mm

    def footer(self, doc: ProtocolDoc) -> None:
        self._foot(doc.printed)

    def _foot(self, printed: str = '') -> None:
        self.c.setFont(FONT, 7.5)
        self.c.setFillColor(LABEL)
        stamp = f' · impresso em {printed}' if printed else ''
        self.c.drawString(self.left, 15 * mm, f'Protocolo {self.number}{stamp}')
        self.c.drawRightString(self.right, 15 * mm, f'Página {self.c.getPageNumber()}')
        self.c.setFillColorRGB(0, 0, 0)
