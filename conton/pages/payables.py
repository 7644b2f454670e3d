"""Pagamentos: the office's bills. Filters (kept in the URL), totals, a paged table (cards on a phone), multiple
selection to delete, a detail dialog with baixa / estorno / editar / cancelar / excluir / anexo, print and export.

Dialogs are built only when opened, so the list page itself stays a couple of dozen elements."""
from __future__ import annotations

from fastapi import Request
from nicegui import run, ui

from .. import clock, formatting
from ..br.money import split_installments
from ..services import live, payables
from ..services.errors import NotFound, ValidationError
from ..services.payables import BillFilter, BillRow
from ..services.permissions import Actor
from ..formatting import money
from ..uploads import file_upload
from .common import Form, action, date_input, page_title
from . import listing
from .frame import esc, frame, guard
from .widgets import confirm, status_badge

PER_PAGE = 25


@ui.page('/pagamentos')
def payables_page(request: Request) -> None:
    actor = guard('payables', title='Pagamentos')
    if actor is None:
        return
    params = request.query_params
    keys = ('status', 'fornecedor', 'data', 'de', 'ate')
    filt = payables.parse_filter(params.get('status', ''), params.get('fornecedor', ''), params.get('data', ''),
                                 params.get('de', ''), params.get('ate', ''),
                                 default_month=not any(k in params for k in keys))
    page = listing.page_number(params)
    with frame(actor, 'Pagamentos'):
        page_title('Pagamentos', 'pagamentos')
        view = BillsView(actor, filt, page, listing.bad_dates(params))
        if params.get('conta'):
            view.open_from_url(params['conta'])
        chosen = [i for value in params.getlist('excluir') for i in value.split(',') if i.strip()]
        view.delete_from_url(chosen[:PER_PAGE])


class BillsView:
    """Per-tab state of the list: the filter, the page and the elements that show them."""

    def __init__(self, actor: Actor, filt: BillFilter, page: int, bad_dates: dict[str, str] | None = None) -> None:
        self.actor = actor
        self.bad_dates = bad_dates or {}
        self.filt = filt
        self.page = page
        self.writable = actor.can('payables', 'write')
        self.build()
        self.load()
        # live: another user's change re-renders the list and totals (read once for all tabs showing this same list)
        live.subscribe('payables', actor, self.show, load=self.fetch, key=self.url)

    # ---- layout -----------------------------------------------------------------------------------------------

    def build(self) -> None:
        self.head = ui.html('').classes('w-full').mark('filters totals')
        with ui.row().classes('w-full items-center gap-2'):
            if self.writable:
                ui.button('Nova conta', icon='add', on_click=self.new_bill).props('unelevated no-caps') \
                    .mark('new-bill')
            ui.button('Imprimir (PDF)', icon='print', on_click=lambda: self.export('pdf')).props('flat no-caps') \
                .classes('q-ml-auto').mark('export-pdf')
            ui.button('Exportar CSV', icon='download', on_click=lambda: self.export('csv')).props('flat no-caps') \
                .mark('export-csv')
        self.table = ui.html('').classes('w-full conton-table').mark('bills')

    # ---- data -------------------------------------------------------------------------------------------------

    def query(self) -> dict:
        f = self.filt
        return {'status': f.status, 'fornecedor': f.supplier.strip(), 'data': f.date_field,
                'de': listing.iso(f.start), 'ate': listing.iso(f.end)}

    def load(self) -> None:
        self.show(self.fetch(self.actor))

    def fetch(self, actor: Actor):
        return payables.search(actor, self.filt, page=self.page, per_page=PER_PAGE)

    def show(self, result) -> None:
        self.page = result.page
        f, query = self.filt, self.query()
        month = BillFilter.current_month()
        month_url = listing.url('/pagamentos', {**query, 'data': 'vencimento', 'de': listing.iso(month.start),
                                                'ate': listing.iso(month.end)})
        form = listing.filter_html('/pagamentos', payables.STATUS_FILTERS, f.status, 'fornecedor',
                                   'Fornecedor (nome ou CPF/CNPJ)', f.supplier, payables.DATE_FIELDS, f.date_field,
                                   f.start, f.end, month_url, self.bad_dates)
        plural = 's' if result.total != 1 else ''
        parts = [f'<span><b>{result.total}</b> conta{plural}</span>',
                 f'<span>Valor: <b>{esc(money(result.amount_cents))}</b></span>']
        if f.status in ('', 'pago'):
            parts.append(f'<span>Pago: <b>{esc(money(result.paid_cents))}</b></span>')
        if f.status in ('', 'aberto', 'pendente', 'vencido'):
            parts.append(f'<span>Em aberto: <b>{esc(money(result.open_cents))}</b></span>')
        self.head.content = f'{form}<div class="conton-totals">{"".join(parts)}</div>'
        pages = max(1, -(-result.total // PER_PAGE))
        self.table.content = (_table_html(result.rows, query, self.page, self.writable)
                              + listing.pager_html('/pagamentos', query, self.page, pages))

    def url(self) -> str:
        return listing.url('/pagamentos', self.query(), pagina=self.page if self.page > 1 else None)

    def clean_url(self) -> None:
        """Once a `?conta=` / `?excluir=` link is acted on, the address shows just the list again."""
        ui.navigate.history.replace(self.url())

    def open_from_url(self, bill_id: str) -> None:
        """`?conta=<id>` (the links of the rows): open its detail, or say plainly it does not exist."""
        try:
            payables.get(self.actor, bill_id)
        except (NotFound, ValidationError):
            ui.label('Conta não encontrada.').classes('text-negative').mark('missing-bill') \
                .move(self.head.parent_slot.parent, target_index=1)
            return
        ui.timer(0.05, lambda: self.clean_url() or self.open(bill_id), once=True)

    def delete_from_url(self, ids: list[str]) -> None:
        """`?excluir=id1,id2` (the list's checkboxes): ask to confirm the deletion."""
        if not self.writable or not ids:
            return

        @action
        async def ask() -> None:
            self.clean_url()  # a reload of the page must not ask again
            rows = payables.get_many(self.actor, ids)
            if rows:
                await self.delete(rows)
        ui.timer(0.05, ask, once=True)

    # ---- export -----------------------------------------------------------------------------------------------

    @action
    async def export(self, kind: str) -> None:
        stamp = clock.today().isoformat()
        if kind == 'pdf':
            data = await run.io_bound(payables.export_pdf, self.actor, self.filt)
            ui.download.content(data, f'contas-a-pagar-{stamp}.pdf', 'application/pdf')
        else:
            data = await run.io_bound(payables.export_csv, self.actor, self.filt)
            ui.download.content(data, f'contas-a-pagar-{stamp}.csv', 'text/csv; charset=utf-8')

    # ---- detail and actions -----------------------------------------------------------------------------------

    @action
    async def open(self, bill_id: str) -> None:
        bill = payables.get(self.actor, bill_id)
        with ui.dialog() as dialog, ui.card().classes('w-full').style('max-width: 520px'):
            with ui.row().classes('w-full items-start no-wrap'):
                ui.label(bill.description).classes('text-h6 col')
                status_badge(bill.status, bill.status_label).classes('q-mt-sm')
            ui.html(_detail_html(bill)).classes('w-full').mark('bill-detail')
            with ui.row().classes('w-full gap-2'):
                if bill.has_attachment:
                    ui.button('Baixar anexo', icon='attach_file',
                              on_click=lambda: self.download_attachment(bill.id)).props('flat no-caps')
                if self.writable:
                    if bill.status in ('aberto', 'vencido'):
                        ui.button('Dar baixa', icon='check', on_click=lambda: dialog.submit('pay')) \
                            .props('unelevated color=positive').mark('detail-pay')
                        ui.button('Editar', icon='edit', on_click=lambda: dialog.submit('edit')).props('outline') \
                            .mark('detail-edit')
                        ui.button('Cancelar conta', icon='block', on_click=lambda: dialog.submit('cancel')) \
                            .props('flat no-caps color=grey-8')
                    elif bill.status == 'pago':
                        ui.button('Estornar baixa', icon='undo', on_click=lambda: dialog.submit('undo')) \
                            .props('outline').mark('detail-undo')
                    else:
                        ui.button('Reabrir', icon='replay', on_click=lambda: dialog.submit('reopen')).props('outline')
                    ui.button('Excluir', icon='delete', on_click=lambda: dialog.submit('delete')) \
                        .props('flat no-caps color=negative').mark('detail-delete')
                ui.space()
                ui.button('Fechar', on_click=dialog.close).props('flat').mark('detail-close')
        choice = await dialog
        dialog.delete()
        if choice == 'pay':
            await self.pay(bill)
        elif choice == 'edit':
            await self.edit(bill)
        elif choice == 'cancel':
            if await confirm(f'Cancelar a conta "{bill.description}"?', 'Cancelar conta'):
                payables.cancel(self.actor, bill.id)
                ui.notify('Conta cancelada.', type='positive')
        elif choice == 'undo':
            if await confirm(f'Estornar a baixa de "{bill.description}"? A conta volta a ficar em aberto.',
                             'Estornar'):
                payables.undo_payment(self.actor, bill.id)
                ui.notify('Baixa estornada.', type='positive')
        elif choice == 'reopen':
            payables.reopen(self.actor, bill.id)
            ui.notify('Conta reaberta.', type='positive')
        elif choice == 'delete':
            await self.delete([bill])
            return
        if choice:
            self.load()

    @action
    async def download_attachment(self, bill_id) -> None:
        name, mime, data = await run.io_bound(payables.attachment, self.actor, bill_id)
        ui.download.content(data, name, mime)

    async def pay(self, bill: BillRow) -> None:
        with ui.dialog() as dialog, ui.card().classes('w-full').style('max-width: 460px'):
            ui.label('Dar baixa').classes('text-h6')
            ui.label(f'{bill.description} — {formatting.money(bill.amount_cents)}, vencimento '
                     f'{formatting.day(bill.due_date)}').classes('text-grey-8')
            form = Form()
            paid_date = form.add('paid_date', date_input('Data do pagamento', clock.today())
                                 .props('outlined dense').classes('w-full').mark('pay-date'))
            with ui.row().classes('w-full no-wrap gap-2'):
                discount = form.add('discount', ui.input('Desconto (R$)', value='0,00')
                                    .props('outlined dense inputmode=decimal').classes('col'))
                addition = form.add('addition', ui.input('Juros/multa (R$)', value='0,00')
                                    .props('outlined dense inputmode=decimal').classes('col'))
            paid = form.add('paid', ui.input('Valor pago (R$)', value=formatting.cents_to_input(bill.amount_cents))
                            .props('outlined dense inputmode=decimal').classes('w-full'))

            def recompute() -> None:
                try:
                    d = formatting.parse_money(discount.value or '0')
                    a = formatting.parse_money(addition.value or '0')
                except ValueError:
                    return
                paid.value = formatting.cents_to_input(payables.net_paid(bill.amount_cents, d, a))
            discount.on_value_change(recompute)
            addition.on_value_change(recompute)

            async def submit() -> None:
                result = await form.submit(lambda: payables.pay(
                    self.actor, bill.id, paid_date=paid_date.value, discount=discount.value,
                    addition=addition.value, paid=paid.value))
                if result is not None:
                    dialog.submit(True)
            with ui.row().classes('w-full justify-end'):
                ui.button('Cancelar', on_click=dialog.close).props('flat')
                ui.button('Confirmar baixa', on_click=action(submit)).props('unelevated color=positive')
        done = await dialog
        dialog.delete()
        if done:
            ui.notify('Baixa registrada.', type='positive')
            self.load()

    @action
    async def new_bill(self) -> None:
        await self.edit(None)

    async def edit(self, bill: BillRow | None) -> None:
        """The new-bill form, or the edit form of an open bill."""
        actor = self.actor
        state: dict = {'stored': None}
        options = payables.supplier_options(actor, include=bill.supplier_id if bill else None)
        with ui.dialog().props('persistent') as dialog, ui.card().classes('w-full').style('max-width: 560px'):
            ui.label('Nova conta a pagar' if bill is None else 'Editar conta').classes('text-h6')
            form = Form()
            supplier = form.add('supplier_id', ui.select(options, label='Fornecedor', with_input=True, clearable=True,
                                                         value=str(bill.supplier_id) if bill and bill.supplier_id
                                                         else None)
                                .props('outlined dense options-dense input-debounce=300').classes('w-full')
                                .mark('form-supplier'))

            def search_suppliers(e) -> None:
                text = e.args if isinstance(e.args, str) else ''
                found = payables.supplier_options(actor, text, include=supplier.value)
                supplier.set_options(found, value=supplier.value)
            supplier.on('input-value', action(search_suppliers))
            description = form.add('description', ui.input('Descrição', value=bill.description if bill else '')
                                   .props('outlined dense maxlength=200').classes('w-full').mark('form-description'))
            category = form.add('category', ui.input('Categoria', value=bill.category if bill else '',
                                                     autocomplete=payables.categories(actor))
                                .props('outlined dense maxlength=60').classes('w-full'))
            amount = form.add('amount', ui.input('Valor (R$)', value=formatting.cents_to_input(bill.amount_cents)
                                                 if bill else '').props('outlined dense inputmode=decimal')
                              .classes('w-full').mark('form-amount'))
            with ui.row().classes('w-full no-wrap gap-2'):
                issue = form.add('issue_date', date_input('Emissão', bill.issue_date if bill else clock.today())
                                 .props('outlined dense').classes('col').mark('form-issue'))
                due = form.add('due_date', date_input('Vencimento', bill.due_date if bill else None)
                               .props('outlined dense').classes('col').mark('form-due'))
            repeat = installments = preview = None
            if bill is None:
                repeat = form.add('repeat', ui.radio(payables.REPEAT_LABELS, value='unica').props('inline dense')
                                  .mark('form-repeat'))
                with ui.row().classes('w-full items-center no-wrap gap-2') as parcel_row:
                    installments = form.add('installments', ui.number('Parcelas', value=2, min=1, precision=0,
                                                                      max=payables.MAX_INSTALLMENTS)
                                            .props('outlined dense').classes('w-28').mark('form-installments'))
                    preview = ui.label('').classes('text-caption text-grey-8 col')
                recurrence_note = ui.label('Cria as contas dos próximos 12 meses, no mesmo dia; o sistema mantém '
                                           'sempre 12 meses à frente até você encerrar a recorrência.') \
                    .classes('text-caption text-grey-8')

                def show_repeat() -> None:
                    parcel_row.set_visibility(repeat.value == 'parcelas')
                    recurrence_note.set_visibility(repeat.value == 'mensal')
                    try:
                        cents = formatting.parse_money(amount.value)
                        n = int(installments.value or 0)
                        parts = split_installments(cents, n) if 0 < n <= payables.MAX_INSTALLMENTS and cents > 0 else []
                    except (ValueError, TypeError):
                        parts = []
                    if parts:
                        shown = ' + '.join(formatting.money(p) for p in parts[:3])
                        preview.text = f'{len(parts)}×: {shown}{" + …" if len(parts) > 3 else ""}'
                    else:
                        preview.text = ''
                repeat.on_value_change(show_repeat)
                installments.on_value_change(show_repeat)
                amount.on_value_change(show_repeat)
                show_repeat()
            with ui.column().classes('w-full gap-1'):
                label = 'Anexo (PDF ou imagem, até 10 MB)'
                if bill is not None and bill.has_attachment:
                    label = f'Substituir anexo ({bill.attachment_name})'
                upload = file_upload(label=label, auto_upload=True, max_files=1,
                                     max_file_size=payables.ATTACHMENT_MAX_BYTES) \
                    .props('accept=".pdf,.png,.jpg,.jpeg,.webp,application/pdf,image/*" flat bordered '
                           'color=grey-2 text-color=grey-9') \
                    .classes('w-full conton-upload').mark('form-upload')
                file_error = ui.label('').classes('text-negative text-caption').mark('file-error')
                file_error.set_visibility(False)
                file_info = ui.label('').classes('text-caption text-positive')

            def show_file_error(message: str) -> None:
                file_error.text = message
                file_error.set_visibility(bool(message))

            async def uploaded(e) -> None:
                show_file_error('')
                try:
                    stored = await payables.save_attachment(actor, e.file)
                except ValidationError as error:
                    show_file_error(next(iter(error.errors.values())))
                    upload.reset()
                    return
                if state['stored'] is not None:
                    payables.discard_attachment(actor, state['stored'])
                state['stored'] = stored
                file_info.text = f'Anexado: {stored.original_name}'
            upload.on_upload(action(uploaded))
            upload.on_rejected(lambda: show_file_error('Arquivo grande demais: o limite é 10 MB.'))

            async def save() -> None:
                values = {'supplier_id': supplier.value, 'description': description.value,
                          'category': category.value, 'amount': amount.value, 'due_date': due.value,
                          'issue_date': issue.value}

                def call():
                    if bill is not None:
                        return payables.update(actor, bill.id, **values)
                    count = installments.value if repeat.value == 'parcelas' else 1
                    return payables.create(actor, **values, repeat=repeat.value, installments=count,
                                           attachment=state['stored'])
                if await form.submit(call) is None:
                    return
                if bill is not None and state['stored'] is not None:
                    payables.set_attachment(actor, bill.id, state['stored'])
                state['stored'] = None
                dialog.submit(True)

            async def close() -> None:
                if state['stored'] is not None:
                    payables.discard_attachment(actor, state['stored'])
                    state['stored'] = None
                dialog.submit(False)
            with ui.row().classes('w-full justify-end'):
                ui.button('Cancelar', on_click=action(close)).props('flat')
                ui.button('Salvar', on_click=action(save)).props('unelevated').mark('form-save')
        saved = await dialog
        dialog.delete()
        if saved:
            ui.notify('Conta salva.' if bill else 'Conta incluída.', type='positive')
            self.load()

    # ---- delete -----------------------------------------------------------------------------------------------

    async def delete(self, bills: list[BillRow]) -> None:
        grouped = [b for b in bills if b.in_group]
        single = len(bills) == 1
        name = f'a conta "{bills[0].description}"' if single else f'as {len(bills)} contas selecionadas'
        with ui.dialog() as dialog, ui.card().style('max-width: 480px'):
            ui.label('Excluir contas' if not single else 'Excluir conta').classes('text-h6')
            scope = None
            if grouped:
                ui.label(f'Excluir {name}? ' + ('Ela faz parte de um grupo de parcelas ou de uma recorrência.'
                                                if single else 'Algumas fazem parte de grupos de parcelas ou de '
                                                'recorrências.'))
                options = {'only': 'Somente esta' if single else 'Somente as selecionadas'}
                if single:
                    options['following'] = ('Esta e as seguintes (encerra a recorrência)' if bills[0].recurrence
                                            else 'Esta e as parcelas seguintes')
                options['group'] = 'Todo o grupo' if single else 'As selecionadas e todo o grupo de cada uma'
                scope = ui.radio(options, value='only').mark('delete-scope')
            else:
                ui.label(f'Excluir {name}? Esta ação não pode ser desfeita.')
            with ui.row().classes('w-full justify-end'):
                ui.button('Cancelar', on_click=dialog.close).props('flat')
                ui.button('Excluir', on_click=lambda: dialog.submit(scope.value if scope else 'only')) \
                    .props('unelevated color=negative').mark('confirm-delete')
        choice = await dialog
        dialog.delete()
        if not choice:
            return
        count = payables.delete(self.actor, [b.id for b in bills], choice)
        ui.notify(f'{count} conta{"s" if count != 1 else ""} excluída{"s" if count != 1 else ""}.', type='positive')
        self.load()


def _table_html(rows: list[BillRow], query: dict, page: int, writable: bool) -> str:
    """The page of bills as one escaped table; each row links to `?conta=<id>` (opens its detail). For writers the
    table is a GET form to the same page: ticking rows and 'Excluir selecionadas' sends `excluir=<ids>`, which asks
    to confirm."""
    check_head = '<th><span class="sr-only">Selecionar</span></th>' if writable else ''
    head = (f'<thead><tr>{check_head}<th>Vencimento</th><th>Descrição</th><th>Fornecedor</th><th>Categoria</th>'
            '<th class="num">Valor</th><th>Situação</th><th>Pagamento</th></tr></thead>')
    more = {'pagina': page} if page > 1 else {}
    base = esc(listing.url('/pagamentos', {**query, **more}))
    body = []
    for r in rows:
        link = f'{base}&amp;conta={r.id}'
        check = (f'<td class="nw hide-sm"><input type="checkbox" name="excluir" value="{r.id}" '
                 f'aria-label="Selecionar {esc(r.description)}"></td>' if writable else '')
        parcel = f' <span class="small parcel">· {esc(r.parcel)}</span>' if r.parcel else ''
        clip = ' <span class="small">📎</span>' if r.has_attachment else ''
        paid = f'<div class="small">{esc(money(r.paid_cents))}</div>' if r.status == 'pago' else ''
        body.append(
            f'<tr>{check}<td class="nw hide-sm" data-label="Vencimento">{esc(formatting.day(r.due_date))}</td>'
            f'<td class="wrap first"><a class="open" href="{link}">{esc(r.description)}</a>{parcel}{clip}'
            f'<div class="small lt-sm">Venc. {esc(formatting.day(r.due_date))}</div></td>'
            f'<td class="wrap">{esc(r.supplier_name)}</td><td data-label="Categoria">{esc(r.category)}</td>'
            f'<td class="num" data-label="Valor">{esc(money(r.amount_cents))}</td>'
            f'<td class="st">{listing.badge(r.status, r.status_label)}</td>'
            f'<td class="nw" data-label="Pagamento">{esc(formatting.day(r.paid_date))}{paid}</td></tr>')
    if not body:
        cols = 8 if writable else 7
        body.append(f'<tr><td colspan="{cols}" class="empty">Nenhuma conta encontrada com estes filtros.</td></tr>')
    table = f'<table class="conton-fin">{head}<tbody>{"".join(body)}</tbody></table>'
    if not writable or not rows:
        return table
    hidden = ''.join(f'<input type="hidden" name="{esc(k)}" value="{esc(v)}">' for k, v in {**query, **more}.items())
    return (f'<form method="get" action="/pagamentos">{hidden}{table}<div class="conton-bulk">'
            '<button type="submit">Excluir selecionadas</button><span class="small">Marque as contas na primeira '
            'coluna.</span></div></form>')


def _detail_html(b: BillRow) -> str:
    lines = [('Fornecedor', f'{b.supplier_name} ({formatting.document(b.supplier_document)})'
              if b.supplier_name else 'Sem fornecedor'),
             ('Categoria', b.category or '—'),
             ('Valor', formatting.money(b.amount_cents)),
             ('Emissão', formatting.day(b.issue_date)),
             ('Vencimento', formatting.day(b.due_date))]
    if b.parcel:
        lines.append(('Parcela', f'{b.installment_no}/{b.installment_count}' if not b.recurrence
                      else f'Recorrência mensal, nº {b.installment_no}'))
    if b.status == 'pago':
        lines += [('Pagamento', formatting.day(b.paid_date)), ('Desconto', formatting.money(b.discount_cents)),
                  ('Juros/multa', formatting.money(b.addition_cents)), ('Valor pago', formatting.money(b.paid_cents))]
    if b.has_attachment:
        lines.append(('Anexo', b.attachment_name))
    rows = ''.join(f'<tr><td style="color:#666;padding:2px 16px 2px 0;vertical-align:top">{esc(k)}</td>'
                   f'<td style="padding:2px 0">{esc(v)}</td></tr>' for k, v in lines)
    return f'<table style="width:100%;border-collapse:collapse">{rows}</table>'

