"""Auditoria: who did what, when and from where (logins, failed logins, changes, permission changes), with filters
by text, action and period, in server-side pages."""
from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from nicegui import ui

from .. import formatting
from ..services import audit
from ..services.audit import AuditRow
from ..services.errors import ValidationError
from . import listing
from .common import Form, action, page_title, pager
from .frame import esc, frame, guard

PER_PAGE = 50
ACTIONS = {'': 'Todas as ações'} | dict(sorted(audit.ACTION_LABELS.items(), key=lambda kv: kv[1]))
ENTITY_LABELS = {
    'user': 'Acesso', 'usuario': 'Acesso', 'funcionario': 'Funcionário', 'acesso_cliente': 'Acesso de cliente',
    'office': 'Escritório', 'email': 'E-mail', 'client': 'Cliente', 'cliente': 'Cliente', 'supplier': 'Fornecedor',
    'fornecedor': 'Fornecedor',
}
TAGS = {'login_failed': 'bad', 'delete': 'bad', 'disable': 'bad', 'permissions': 'warn', 'password': 'warn',
        'login': 'on', 'create': 'on', 'enable': 'on'}


@ui.page('/auditoria')
def audit_page(q: str = '', acao: str = '', de: str = '', ate: str = '', pagina: str = '1') -> None:
    actor = guard('audit', title='Auditoria')
    if actor is None:
        return
    state = {'q': q[:100], 'action': acao if acao in ACTIONS else '', 'start': _day(de), 'end': _day(ate),
             'page': listing.page_number(pagina)}
    with frame(actor, 'Auditoria'):
        page_title('Auditoria', 'auditoria')
        ui.label('Registro de quem fez o quê, quando e de onde: entradas, tentativas sem sucesso, inclusões, '
                 'alterações, exclusões e mudanças de permissão.').classes('text-grey-8 q-mb-sm')
        form = Form()
        with ui.element('div').classes('conton-filters'):
            search = form.add('q', ui.input(placeholder='Buscar por e-mail, detalhe ou IP', value=state['q'])
                              .props('outlined dense clearable debounce=400 aria-label=Buscar').classes('f-search'))
            with search.add_slot('prepend'):
                ui.icon('search')
            kind = form.add('action', ui.select(ACTIONS, value=state['action'], label='Ação')
                            .props('outlined dense options-dense').classes('f-action'))
            with ui.element('div').classes('f-days'):
                start = form.add('start', date_input('De', state['start']).mark('start'))
                end = form.add('end', date_input('Até', state['end']).mark('end'))

        @ui.refreshable
        def results() -> None:
            found = audit.search(actor, text=state['q'], action=state['action'], start=state['start'],
                                 end=state['end'], page=state['page'], per_page=PER_PAGE)
            if not found.rows:
                with ui.column().classes('w-full items-center q-pa-xl gap-2 text-center'):
                    ui.icon('policy', size='xl', color='grey-5')
                    ui.label('Nenhum registro encontrado para estes filtros.').classes('text-subtitle1')
                return
            ui.html(table_html(found.rows)).classes('w-full').mark('audit-table')
            pager(found.total, state['page'], PER_PAGE, go_to)

        def remember() -> None:
            params = {k: v for k, v in (('q', state['q']), ('acao', state['action']),
                                        ('de', state['start'].isoformat() if state['start'] else ''),
                                        ('ate', state['end'].isoformat() if state['end'] else ''),
                                        ('pagina', state['page'])) if v and (k, v) != ('pagina', 1)}
            ui.navigate.history.replace('/auditoria' + (f'?{urlencode(params)}' if params else ''))

        @action
        async def filter_changed() -> None:
            form.clear_errors()
            try:
                days = _period(start.value, end.value)
            except ValidationError as e:
                form.show(e)
                return
            state.update(q=(search.value or '')[:100], action=kind.value or '', start=days[0], end=days[1], page=1)
            remember()  # first: a refresh deletes the pager this handler may belong to
            await results.refresh()  # awaited: errors reach @action (a bare refresh runs later, unguarded)

        @action
        async def go_to(page: int) -> None:
            state['page'] = listing.page_number(page)
            remember()  # first: a refresh deletes the pager this handler may belong to
            await results.refresh()  # awaited: errors reach @action (a bare refresh runs later, unguarded)

        async def day_changed(e) -> None:
            if not e.value or len(e.value) == 10:  # cleared, or a whole dd/mm/aaaa (typed or picked)
                await filter_changed()

        for element in (search, kind):
            element.on_value_change(filter_changed)
        for element in (start, end):
            element.on_value_change(day_changed)
        results()


def date_input(label: str, value: date | None) -> ui.input:
    field = ui.input(label, value=formatting.day(value) if value else '', placeholder='dd/mm/aaaa') \
        .props('outlined dense mask="##/##/####" inputmode=numeric clearable')
    with field.add_slot('append'):
        with ui.icon('event').classes('cursor-pointer'):
            with ui.menu() as menu:
                ui.date(mask='DD/MM/YYYY').props('minimal').bind_value(field).on_value_change(menu.close)
    return field


def _day(text: str) -> date | None:
    try:
        return formatting.parse_day(text)
    except ValueError:
        return None


def _period(start_text: str | None, end_text: str | None) -> tuple[date | None, date | None]:
    errors = {}
    days = []
    for field, text in (('start', start_text), ('end', end_text)):
        try:
            days.append(formatting.parse_day(text))
        except ValueError:
            errors[field] = 'Data inválida. Use dd/mm/aaaa.'
            days.append(None)
    if not errors and days[0] and days[1] and days[0] > days[1]:
        errors['end'] = 'A data final é anterior à inicial.'
    if errors:
        raise ValidationError(errors)
    return days[0], days[1]


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
