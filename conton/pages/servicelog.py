"""Atendimentos: the office's log of services given to clients. A server-rendered list (filters in the URL: client,
staff member, channel, period; a pager; cards on a phone), the form to record one or change it (a dialog, built
only when opened), and delete. `/atendimentos?atendimento=<id>` opens one (links of notifications and of the client's
history); `/atendimentos?novo=1&cliente_id=<id>` opens the form for that client. The list refreshes live."""
from __future__ import annotations

from fastapi import Request
from nicegui import ui

from .. import clock, formatting
from ..services import live, servicelog
from ..services.errors import NotFound
from ..services.permissions import Actor
from ..services.servicelog import ServiceFilter, ServicePage, ServiceRow
from . import listing
from .common import Form, action, date_input, page_title
from .frame import esc, frame, guard
from .widgets import client_picker, confirm

PATH = '/atendimentos'
PER_PAGE = 25
COLUMNS = (listing.Column('Data', 'nw hide-sm'), listing.Column('Cliente', 'wrap first'),
           listing.Column('Assunto', 'wrap', labelled=False), listing.Column('Canal', 'nw'),
           listing.Column('Funcionário'), listing.Column('Duração', 'num nw'), listing.Column('', 'st'))


@ui.page(PATH)
def servicelog_page(request: Request) -> None:
    actor = guard(servicelog.TOOL, title='Atendimentos')
    if actor is None:
        return
    params = request.query_params
    filt = servicelog.parse_filter(params.get('cliente', ''), params.get('cliente_id', ''),
                                   params.get('funcionario', ''), params.get('canal', ''), params.get('de', ''),
                                   params.get('ate', ''))
    with frame(actor, 'Atendimentos'):
        page_title('Atendimentos', 'atendimentos')
        view = ServiceView(actor, filt, listing.page_number(params), listing.bad_dates(params))
        if params.get('atendimento'):
            view.open_from_url(params['atendimento'])
        elif params.get('novo') and view.writable:
            ui.timer(0.05, lambda: view.new(filt.client_id), once=True)


class ServiceView:
    """Per-tab state of the list: the filter, the page and the elements that show them."""

    def __init__(self, actor: Actor, filt: ServiceFilter, page: int, bad_dates: dict[str, str]) -> None:
        self.actor, self.filt, self.page, self.bad_dates = actor, filt, page, bad_dates
        self.writable = actor.can(servicelog.TOOL, 'write')
        self.staff = servicelog.staff_options(actor)
        self.head = ui.html('').classes('w-full').mark('filters')
        if self.writable:
            ui.button('Novo atendimento', icon='add', on_click=lambda: self.new(self.filt.client_id)) \
                .props('unelevated no-caps').mark('new-service')
        self.table = ui.html('').classes('w-full conton-table').mark('services')
        self.show(self.fetch(actor))
        live.subscribe(servicelog.TOOL, actor, self.show, load=self.fetch, key=self.url)

    # ---- list ---------------------------------------------------------------------------------------------------

    def query(self) -> dict:
        f = self.filt
        return {'cliente': f.client, 'cliente_id': str(f.client_id or ''), 'funcionario': str(f.staff_id or ''),
                'canal': f.channel, 'de': listing.iso(f.start), 'ate': listing.iso(f.end)}

    def url(self) -> str:
        return listing.url(PATH, self.query(), pagina=self.page if self.page > 1 else None)

    def fetch(self, actor: Actor) -> ServicePage:
        return servicelog.search(actor, self.filt, page=self.page, per_page=PER_PAGE)

    def show(self, result: ServicePage) -> None:
        self.page = result.page
        query = self.query()
        client_name = result.rows[0].client_name if self.filt.client_id and result.rows else ''
        self.head.content = (_filter_html(self.filt, self.staff, self.bad_dates, client_name)
                             + f'<div class="conton-totals"><span><b>{result.total}</b> atendimento'
                               f'{"s" if result.total != 1 else ""}</span></div>')
        base = listing.url(PATH, query, pagina=self.page if self.page > 1 else None)
        rows = [_row_cells(r, f'{base}&atendimento={r.id}') for r in result.rows]
        self.table.content = (listing.table_html(COLUMNS, rows, 'Nenhum atendimento encontrado com estes filtros.')
                              + listing.pager_html(PATH, query, self.page, result.pages))

    def load(self) -> None:
        self.show(self.fetch(self.actor))

    # ---- one atendimento ----------------------------------------------------------------------------------------

    def open_from_url(self, record_id: str) -> None:
        """`?atendimento=<id>`: open it, or say plainly that it does not exist (never which one it was)."""
        try:
            row = servicelog.get(self.actor, record_id)
        except NotFound:
            ui.label('Atendimento não encontrado.').classes('text-negative').mark('missing-service') \
                .move(self.head.parent_slot.parent, target_index=1)
            return
        ui.timer(0.05, lambda: ui.navigate.history.replace(self.url()) or self.edit(row), once=True)

    @action
    async def new(self, client_id=None) -> None:
        await self.form(None, client_id)

    @action
    async def edit(self, row: ServiceRow) -> None:
        await self.form(row, row.client_id)

    async def form(self, row: ServiceRow | None, client_id) -> None:
        actor, writable = self.actor, self.writable
        chosen = str(client_id) if client_id else None
        initial = servicelog.client_options(actor, include=chosen, limit=0) if chosen else {}
        staff = servicelog.staff_options(actor, include=row.staff_id if row else None)
        default_staff = str(row.staff_id) if row else (str(actor.user_id) if str(actor.user_id) in staff else None)
        with ui.dialog().props('persistent') as dialog, ui.card().classes('w-full').style('max-width: 620px'):
            ui.label('Atendimento' if row else 'Novo atendimento').classes('text-h6')
            form = Form()
            client = form.add('client_id', client_picker(
                lambda text, value: servicelog.client_options(actor, text, include=value), value=chosen,
                initial=initial, clearable=False).classes('w-full').mark('form-client'))
            with ui.row().classes('w-full no-wrap gap-2'):
                channel = form.add('channel', ui.select(servicelog.CHANNELS, label='Canal',
                                                        value=row.channel if row else 'telefone')
                                   .props('outlined dense').classes('col').mark('form-channel'))
                happened = form.add('happened_on', date_input('Data', row.happened_on if row else clock.today())
                                    .props('outlined dense').classes('col').mark('form-day'))
                duration = form.add('duration_minutes', ui.input('Duração (min)',
                                                                 value=str(row.duration_minutes) if row else '15')
                                    .props('outlined dense inputmode=numeric maxlength=5').classes('col')
                                    .mark('form-duration'))
            who = form.add('staff_id', ui.select(staff, label='Funcionário que atendeu', value=default_staff)
                           .props('outlined dense options-dense').classes('w-full').mark('form-staff'))
            subject = form.add('subject', ui.input('Assunto', value=row.subject if row else '')
                               .props('outlined dense maxlength=200').classes('w-full').mark('form-subject'))
            description = form.add('description', ui.textarea('Descrição', value=row.description if row else '')
                                   .props('outlined dense autogrow maxlength=10000').classes('w-full')
                                   .mark('form-description'))
            outcome = form.add('outcome', ui.textarea('Resultado', value=row.outcome if row else '')
                               .props('outlined dense autogrow maxlength=500').classes('w-full').mark('form-outcome'))
            with ui.row().classes('w-full no-wrap gap-2 items-start'):
                follow = form.add('follow_up_on', date_input('Retorno em', row.follow_up_on if row else None)
                                  .props('outlined dense clearable').classes('col').mark('form-follow-up'))
                at = row.follow_up_time if row else None
                follow_time = form.add('follow_up_time', ui.input('Hora do retorno', value=f'{at:%H:%M}' if at else '',
                                                                  placeholder='09:00')
                                       .props('outlined dense mask="##:##" inputmode=numeric').classes('col')
                                       .mark('form-follow-up-time'))
            request = form.add('request_id', ui.select(
                servicelog.request_options(actor, chosen), label='Solicitação (opcional)',
                value=str(row.request_id) if row and row.request_id else None, clearable=True)
                               .props('outlined dense options-dense').classes('w-full').mark('form-request'))
            ui.label('Retorno e hora são opcionais. Com data de retorno, um lembrete entra na Agenda do '
                     'funcionário, na hora escolhida (sem hora, às 09:00), só para o escritório.') \
                .classes('text-caption text-grey-8')
            visible = form.add('visible_to_client', ui.checkbox('Visível ao cliente no portal',
                                                                value=row.visible_to_client if row else False)
                               .mark('form-visible'))
            ui.label('Por padrão o atendimento é interno: o cliente não o vê.').classes('text-caption text-grey-8')

            def client_changed() -> None:
                request.set_options(servicelog.request_options(actor, client.value), value=None)
            client.on_value_change(action(client_changed))

            def values() -> dict:
                return dict(client_id=client.value, channel=channel.value, happened_on=happened.value,
                            duration_minutes=duration.value, staff_id=who.value, subject=subject.value,
                            description=description.value, outcome=outcome.value, follow_up_on=follow.value or '',
                            follow_up_time=follow_time.value or '',
                            request_id=request.value, visible_to_client=bool(visible.value))

            async def save() -> None:
                if row is None:
                    result = await form.submit(lambda: servicelog.create(actor, **values()))
                else:
                    result = await form.submit(lambda: servicelog.update(actor, row.id, **values()))
                if result is not None:
                    dialog.submit(('saved', result))

            async def remove() -> None:
                if await confirm(f'Excluir o atendimento "{row.subject}" de {row.client_name}? O retorno marcado '
                                 f'sai da Agenda.', 'Excluir'):
                    servicelog.delete(actor, row.id)
                    dialog.submit(('deleted', None))
            if not writable:
                for element in form.fields.values():
                    element.disable()
            with ui.row().classes('w-full items-center gap-2'):
                if row is not None and writable:
                    ui.button('Excluir', icon='delete', on_click=action(remove)) \
                        .props('flat no-caps color=negative').mark('form-delete')
                ui.space()
                ui.button('Fechar' if not writable else 'Cancelar', on_click=dialog.close).props('flat')
                if writable:
                    ui.button('Salvar', on_click=action(save)).props('unelevated').mark('form-save')
        result = await dialog
        dialog.delete()
        if result:
            ui.notify('Atendimento excluído.' if result[0] == 'deleted' else 'Atendimento salvo.', type='positive')
            self.load()


# --------------------------------------------------------------------------------------------------------------------
# HTML pieces
# --------------------------------------------------------------------------------------------------------------------

def _row_cells(r: ServiceRow, link: str) -> list[str]:
    extra = []
    if r.outcome:
        extra.append(f'<div class="small">{esc(r.outcome)}</div>')
    if r.follow_up_on:
        extra.append(f'<div class="small">Retorno: {esc(r.follow_up_label)}</div>')
    if r.request_number:
        extra.append(f'<div class="small">Solicitação #{r.request_number}</div>')
    badge = listing.badge('pago', 'Visível ao cliente') if r.visible_to_client else listing.badge('cancelado',
                                                                                                  'Interno')
    return [esc(formatting.day(r.happened_on)),
            f'<a class="open" href="{esc(link)}">{esc(r.client_name)}</a>'
            f'<div class="small lt-sm">{esc(formatting.day(r.happened_on))}</div>',
            f'<b>{esc(r.subject)}</b>{"".join(extra)}', esc(r.channel_label), esc(r.staff_name),
            esc(r.duration_label), badge]


def _filter_html(f: ServiceFilter, staff: dict[str, str], bad: dict[str, str], client_name: str) -> str:
    """The GET filter bar: client (text), staff member, channel, period; a client chosen by id (from the client's
    history) shows as a chip with a link that clears it."""
    errors = ''.join(f'<div class="conton-filter-error" role="alert">Data inválida em “{listing.DATE_LABELS[name]}”: '
                     f'use dd/mm/aaaa. A lista abaixo não usa esta data.</div>' for name in bad)
    kept = f'<input type="hidden" name="cliente_id" value="{esc(f.client_id)}">' if f.client_id else ''
    chip = ''
    if f.client_id:
        clear = listing.url(PATH, {'funcionario': str(f.staff_id or ''), 'canal': f.channel,
                                   'de': listing.iso(f.start), 'ate': listing.iso(f.end)})
        chip = (f'<div class="q-mt-sm"><span class="conton-chipfilter">Cliente: {esc(client_name or "escolhido")} '
                f'<a href="{esc(clear)}" aria-label="Mostrar todos os clientes">×</a></span></div>')
    return (f'<form method="get" action="{PATH}" class="conton-filter">{kept}'
            f'<label class="grow"><span>Cliente (nome ou CPF/CNPJ)</span><input type="search" name="cliente" '
            f'value="{esc(f.client)}" maxlength="100"></label>'
            f'<label><span>Funcionário</span>'
            f'{listing.select_html("funcionario", {"": "Todos", **staff}, str(f.staff_id or ""))}</label>'
            f'<label><span>Canal</span>'
            f'{listing.select_html("canal", {"": "Todos", **servicelog.CHANNELS}, f.channel)}</label>'
            f'{_date_html("de", f.start, bad)}{_date_html("ate", f.end, bad)}'
            f'<button type="submit">Filtrar</button><a href="{PATH}">Limpar</a></form>{chip}{errors}')


def _date_html(name: str, day, bad: dict[str, str]) -> str:
    value = bad.get(name, formatting.day(day))
    invalid = ' aria-invalid="true" class="bad"' if name in bad else ''
    return (f'<label class="date"><span>{listing.DATE_LABELS[name]}</span>'
            f'<input type="text" name="{name}" value="{esc(value)}" '
            f'inputmode="numeric" maxlength="10" placeholder="dd/mm/aaaa" autocomplete="off"{invalid}></label>')
