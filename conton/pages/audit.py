"""Auditoria: who did what, when and from where (logins, failed logins, changes, permission changes), with filters
by text, action and period, in server-side pages."""
from __future__ import annotations

from datetime import date

from fastapi import Request
from nicegui import ui

from .. import formatting
from ..services import audit
from ..services.audit import ENTITY_LABELS
from ..services.audit import AuditRow
from . import listing
from .common import page_title
from .frame import esc, frame, guard

PATH = '/auditoria'
PER_PAGE = 50
ACTIONS = {'': 'Todas as ações'} | dict(sorted(audit.ACTION_LABELS.items(), key=lambda kv: kv[1]))
TAGS = {'login_failed': 'bad', 'delete': 'bad', 'disable': 'bad', 'permissions': 'warn', 'password': 'warn',
        'login': 'on', 'create': 'on', 'enable': 'on'}


@ui.page('/auditoria')
def audit_page(request: Request) -> None:
    """The list idiom of pages/listing.py: the filters are a GET form (they live in the URL), the rows and the pager
    server-rendered HTML."""
    actor = guard('audit', title='Auditoria')
    if actor is None:
        return
    params = request.query_params
    text = (params.get('q') or '').strip()[:100]
    kind = params.get('acao', '') if params.get('acao', '') in ACTIONS else ''
    bad = listing.bad_dates(params)
    start, end = _day(params.get('de', '')), _day(params.get('ate', ''))
    page = listing.page_number(params)
    query = {k: v for k, v in (('q', text), ('acao', kind), ('de', listing.iso(start)), ('ate', listing.iso(end)))
             if v}
    with frame(actor, 'Auditoria'):
        page_title('Auditoria', 'auditoria')
        ui.label('Registro de quem fez o quê, quando e de onde: entradas, tentativas sem sucesso, inclusões, '
                 'alterações, exclusões e mudanças de permissão.').classes('text-grey-8 q-mb-sm')
        found = audit.search(actor, text=text, action=kind, start=start,
                             end=end if not (start and end and start > end) else None, page=page, per_page=PER_PAGE)
        fields = (listing.text_html('q', 'Buscar', text, 'E-mail, detalhe ou IP')
                  + f'<label><span>Ação</span>{listing.select_html("acao", ACTIONS, kind)}</label>'
                  + listing.dates_html(start, end, bad))
        head = (listing.form_html(PATH, fields, clear_url=PATH) + listing.date_errors_html(bad, start, end))
        ui.html(head).classes('w-full').mark('filters')
        if not found.rows:
            ui.html('<div class="conton-empty">Nenhum registro encontrado para estes filtros.</div>') \
                .classes('w-full').mark('audit-table')
            return
        pages = max(1, -(-found.total // PER_PAGE))
        ui.html(listing.total_html(found.total) + table_html(found.rows)
                + listing.pager_html(PATH, query, min(page, pages), pages)).classes('w-full').mark('audit-table')


def _day(text: str) -> date | None:
    try:
        return formatting.parse_day(text)
    except ValueError:
        return None


def table_html(rows: list[AuditRow]) -> str:
    """A table on larger screens, cards on a phone (both escaped HTML, cheap to render)."""
    head = ('<thead><tr><th>Quando</th><th>Quem</th><th>Ação</th><th>Registro</th><th>Detalhe</th><th>IP</th>'
            '</tr></thead>')
    body, cards = [], []
    for r in rows:
        when = esc(formatting.when(r.at))
        label = esc(audit.ACTION_LABELS.get(r.action, r.action))
        tag = f'<span class="conton-tag {TAGS.get(r.action, "")}">{label}</span>'
        entity = esc(ENTITY_LABELS.get(r.entity, r.entity.replace('_', ' ').capitalize()))
        ref = f'{entity}<div class="small">{esc(r.entity_id[:8])}</div>' if r.entity_id else entity
        who = esc(r.user_email) if r.user_email else '<span class="small">sistema</span>'
        body.append(f'<tr><td>{when}</td><td>{who}</td><td>{tag}</td><td class="nowrap">{ref}</td>'
                    f'<td class="detail">{esc(r.detail)}</td><td class="nowrap">{esc(r.ip)}</td></tr>')
        detail = f'<div class="line">{esc(r.detail)}</div>' if r.detail else ''
        ip = f' · IP {esc(r.ip)}' if r.ip else ''
        cards.append(f'<div class="card"><div class="top"><div>{who}</div>{tag}</div>{detail}'
                     f'<div class="small">{when} · {entity}{ip}</div></div>')
    return (f'<div class="gt-xs conton-table"><table class="conton-list audit">{head}'
            f'<tbody>{"".join(body)}</tbody></table>'
            f'</div><div class="xs conton-cards">{"".join(cards)}</div>')
