"""Recebimentos: what clients owe the office. Filters (kept in the URL), totals, a paged table (cards on a phone),
monthly generation of honorários, new one-off charges (with installments), and a detail dialog with boleto, PIX,
baixa / recibo / estorno / cancelar / reenviar.

Dialogs are built only when opened, so the list page itself stays a couple of dozen elements.
`/recebimentos?cobranca=<id>` opens a charge's detail at once (links of notifications)."""
from __future__ import annotations

import base64
from urllib.parse import urlencode

from fastapi import Request
from nicegui import run, ui

from .. import clock, formatting
from ..services import receivables
from ..services.errors import NotFound, ValidationError
from ..services.money import late_fees, split_installments
from ..services.permissions import Actor
from ..services.receivables import ChargeDetail, ChargeFilter, ChargeRow
from .common import Form, action, date_input, money, page_title
from .frame import esc, frame, guard

PER_PAGE = 25
STATUS_COLORS = {'aberto': 'blue-7', 'vencido': 'negative', 'pago': 'positive', 'cancelado': 'grey-6'}
COLUMNS = [
    {'name': 'due', 'label': 'Vencimento', 'field': 'due', 'align': 'left'},
    {'name': 'client', 'label': 'Cliente', 'field': 'client', 'align': 'left', 'classes': 'conton-wrap'},
    {'name': 'description', 'label': 'Descrição', 'field': 'description', 'align': 'left', 'classes': 'conton-wrap'},
    {'name': 'amount', 'label': 'Valor', 'field': 'amount', 'align': 'right'},
    {'name': 'status', 'label': 'Situação', 'field': 'status_label', 'align': 'left'},
    {'name': 'paid', 'label': 'Pagamento', 'field': 'paid', 'align': 'left'},
    {'name': 'actions', 'label': '', 'field': 'id', 'align': 'right'},
]
BADGE = ('<q-badge :color="{aberto:\'blue-7\',vencido:\'negative\',pago:\'positive\',cancelado:\'grey-6\'}'
         '[props.row.status]" :label="props.row.status_label" />')
STATUS_SLOT = f'<q-td :props="props">{BADGE}</q-td>'
DESCRIPTION_SLOT = '''<q-td :props="props">{{ props.row.description }}
  <span v-if="props.row.parcel" class="text-grey-7 text-caption"> · {{ props.row.parcel }}</span></q-td>'''
CLIENT_SLOT = '''<q-td :props="props"><div>{{ props.row.client }}</div>
  <div class="text-caption text-grey-7">{{ props.row.document }}</div></q-td>'''
PAID_SLOT = '''<q-td :props="props"><div>{{ props.row.paid }}</div>
  <div v-if="props.row.received" class="text-caption text-grey-7">{{ props.row.received }}</div></q-td>'''
ACTIONS_SLOT = '''<q-td :props="props" auto-width><q-btn flat round dense icon="more_vert" color="primary"
  aria-label="Detalhes" @click.stop="() => $parent.$emit('open', props.row.id)" /></q-td>'''
ITEM_SLOT = '''<div class="q-pa-xs col-12">
  <q-card flat bordered class="cursor-pointer" @click="() => $parent.$emit('open', props.row.id)">
    <q-card-section class="q-py-sm q-px-sm">
      <div class="row items-center no-wrap q-gutter-x-sm">
        <div class="col text-weight-medium ellipsis" style="min-width:0">{{ props.row.client }}</div>
        ''' + BADGE + '''
      </div>
      <div class="text-caption text-grey-8">{{ props.row.description }}<span v-if="props.row.parcel">
        · {{ props.row.parcel }}</span></div>
      <div class="row justify-between items-baseline">
        <span class="text-caption">Venc. {{ props.row.due }}<span v-if="props.row.paid">
          · pago {{ props.row.paid }}</span></span>
        <span class="text-weight-medium">{{ props.row.amount }}</span>
      </div>
    </q-card-section>
  </q-card>
</div>'''
CSS = '''<style>
.conton-charges td.conton-wrap {white-space:normal;min-width:160px;max-width:320px}
.conton-totals {display:flex;flex-wrap:wrap;gap:4px 20px;padding:10px 14px;background:#f3f7fc;border:1px solid #d6e3f3;
  border-radius:6px;width:100%}
.conton-totals b {font-weight:600}
.conton-filters .q-field {min-width:150px}
.conton-pix-code {font-family:monospace;font-size:12px;word-break:break-all;background:#f5f5f5;border-radius:4px;
  padding:8px;user-select:all}
.conton-facts-table td {padding:2px 16px 2px 0;vertical-align:top}
.conton-facts-table td:first-child {color:#666;white-space:nowrap}
@media (max-width: 599px) {.conton-filters > * {flex:1 1 45%}}
</style>'''


@ui.page('/recebimentos')
def receivables_page(request: Request) -> None:
    actor = guard('receivables', title='Recebimentos')
    if actor is None:
        return
    params = request.query_params
    keys = ('status', 'cliente', 'data', 'de', 'ate')
    filt = receivables.parse_filter(params.get('status', ''), params.get('cliente', ''), params.get('data', ''),
                                    params.get('de', ''), params.get('ate', ''),
                                    default_month=not any(k in params for k in keys))
    try:
        page = max(1, int(params.get('pagina', '1')))
    except ValueError:
        page = 1
    with frame(actor, 'Recebimentos'):
        ui.add_head_html(CSS)
        page_title('Recebimentos', 'recebimentos')
        view = ChargesView(actor, filt, page)
        if params.get('cobranca'):
            view.open_from_url(params['cobranca'])


class ChargesView:
    """Per-tab state of the list: the filter, the page and the elements that show them."""

    def __init__(self, actor: Actor, filt: ChargeFilter, page: int) -> None:
        self.actor = actor
        self.filt = filt
        self.page = page
        self.writable = actor.can('receivables', 'write')
        self.build()
        self.load()

    # ---- layout -----------------------------------------------------------------------------------------------

    def build(self) -> None:
        f = self.filt
        self.missing = ui.label('').classes('text-negative').mark('missing-charge')
        self.missing.set_visibility(False)
        with ui.row().classes('w-full items-end gap-2 conton-filters'):
            self.status = ui.select(receivables.STATUS_FILTERS, value=f.status, label='Situação',
                                    on_change=self.changed).props('dense outlined options-dense').mark('status')
            self.client = ui.input('Cliente (nome ou CPF/CNPJ)', value=f.client, on_change=self.changed) \
                .props('dense outlined clearable debounce=500').classes('grow').mark('client')
            self.date_field = ui.select(receivables.DATE_FIELDS, value=f.date_field, label='Data de',
                                        on_change=self.changed).props('dense outlined options-dense') \
                .mark('date-field')
            self.start = date_input('De', f.start, on_change=self.changed).props('dense outlined') \
                .classes('w-36').mark('start')
            self.end = date_input('Até', f.end, on_change=self.changed).props('dense outlined') \
                .classes('w-36').mark('end')
            ui.button('Mês atual', on_click=self.current_month).props('flat dense no-caps color=primary')
        self.totals = ui.html('').classes('w-full').mark('totals')
        if self.writable:
            with ui.row().classes('w-full items-center gap-2'):
                ui.button('Nova cobrança', icon='add', on_click=self.new_charge).props('unelevated no-caps') \
                    .mark('new-charge')
                ui.button('Gerar honorários do mês', icon='event_repeat', on_click=self.generate) \
                    .props('outline no-caps').mark('generate')
        with ui.element('div').classes('conton-table') as self.table_box:
            self.table = ui.table(columns=COLUMNS, rows=[], row_key='id') \
                .props('flat bordered dense hide-pagination :rows-per-page-options="[0]" '
                       ':grid="window.innerWidth < 600" '
                       'no-data-label="Nenhuma cobrança encontrada com estes filtros."') \
                .classes('w-full conton-charges').mark('charges')
        self.table.add_slot('body-cell-status', STATUS_SLOT)
        self.table.add_slot('body-cell-client', CLIENT_SLOT)
        self.table.add_slot('body-cell-description', DESCRIPTION_SLOT)
        self.table.add_slot('body-cell-paid', PAID_SLOT)
        self.table.add_slot('body-cell-actions', ACTIONS_SLOT)
        self.table.add_slot('item', ITEM_SLOT)
        self.table.on('open', lambda e: self.open(e.args))
        self.table.on('rowClick', lambda e: self.open(e.args[1]['id']) if isinstance(e.args, list) and
                      len(e.args) > 1 and isinstance(e.args[1], dict) else None)
        self.pagination: ui.pagination | None = None  # built when there is more than one page

    # ---- data -------------------------------------------------------------------------------------------------

    def load(self) -> None:
        result = receivables.search(self.actor, self.filt, page=self.page, per_page=PER_PAGE)
        self.page = result.page
        plural = 's' if result.total != 1 else ''
        parts = [f'<span><b>{result.total}</b> cobrança{plural}</span>',
                 f'<span>Valor: <b>{esc(money(result.amount_cents))}</b></span>']
        if self.filt.status in ('', 'pago'):
            parts.append(f'<span>Recebido: <b>{esc(money(result.received_cents))}</b></span>')
        if self.filt.status in ('', 'aberto', 'pendente', 'vencido'):
            parts.append(f'<span>Em aberto: <b>{esc(money(result.open_cents))}</b></span>')
        self.totals.content = f'<div class="conton-totals">{"".join(parts)}</div>'
        self.table.rows = [_row_dict(r) for r in result.rows]
        pages = max(1, -(-result.total // PER_PAGE))
        if self.pagination is None and pages > 1:
            with self.table_box:
                self.pagination = ui.pagination(1, pages, direction_links=True, value=self.page, on_change=self.go) \
                    .props('max-pages=7 boundary-numbers').classes('q-mt-sm').mark('pages')
        if self.pagination is not None:
            self.pagination.props['max'] = pages
            self.pagination.set_value(self.page)
            self.pagination.set_visibility(pages > 1)
            self.pagination.update()

    def read_filter(self) -> ChargeFilter:
        return receivables.parse_filter(self.status.value or '', self.client.value or '', self.date_field.value or '',
                                        self.start.value or '', self.end.value or '')

    def url(self) -> str:
        f = self.filt
        query = {'status': f.status, 'cliente': f.client.strip(), 'data': f.date_field,
                 'de': f.start.isoformat() if f.start else '', 'ate': f.end.isoformat() if f.end else ''}
        if self.page > 1:
            query['pagina'] = str(self.page)
        return f'/recebimentos?{urlencode(query)}'

    @action
    def changed(self) -> None:
        if any(0 < len(el.value or '') < 10 for el in (self.start, self.end)):
            return  # a date still being typed
        new = self.read_filter()
        if new == self.filt:
            return
        self.filt, self.page = new, 1
        self.load()
        ui.navigate.history.replace(self.url())

    @action
    def go(self, e) -> None:
        if e.value and e.value != self.page:
            self.page = e.value
            self.load()
            ui.navigate.history.replace(self.url())

    def current_month(self) -> None:
        month = ChargeFilter.current_month()
        self.date_field.value = 'vencimento'
        self.start.value, self.end.value = formatting.day(month.start), formatting.day(month.end)

    # ---- detail and actions -----------------------------------------------------------------------------------

    def open_from_url(self, charge_id: str) -> None:
        """`?cobranca=<id>`: open it, or say plainly that it does not exist (never which one it was)."""
        try:
            receivables.get(self.actor, charge_id)
        except NotFound:
            self.missing.text = 'Cobrança não encontrada.'
            self.missing.set_visibility(True)
            return
        ui.timer(0.05, lambda: self.open(charge_id), once=True)

    @action
    async def open(self, charge_id: str) -> None:
        detail = receivables.get(self.actor, charge_id)
        charge = detail.charge
        with ui.dialog() as dialog, ui.card().classes('w-full').style('max-width: 560px'):
            with ui.row().classes('w-full items-start no-wrap'):
                with ui.column().classes('col gap-0'):
                    ui.label(charge.title).classes('text-h6')
                    ui.label(f'{charge.client_name} — {formatting.document(charge.client_document)}') \
                        .classes('text-grey-8')
                ui.badge(charge.status_label, color=STATUS_COLORS[charge.status]).classes('q-mt-sm')
            ui.html(_detail_html(detail)).classes('w-full').mark('charge-detail')
            if charge.is_open:
                pix_block(self.actor, charge.id, detail.pix_payload, detail.pix_problem)
                boleto_note(detail)
            with ui.row().classes('w-full gap-2'):
                if charge.is_open:
                    ui.button('Boleto (PDF)', icon='receipt_long',
                              on_click=lambda: self.download_boleto(charge.id)).props('outline no-caps') \
                        .mark('boleto')
                if detail.receipt:
                    ui.button(f'Recibo nº {detail.receipt.number:06d}', icon='download',
                              on_click=lambda: self.download_receipt(detail.receipt.id)).props('outline no-caps') \
                        .mark('receipt')
                if self.writable:
                    if charge.is_open:
                        ui.button('Dar baixa', icon='check', on_click=lambda: dialog.submit('pay')) \
                            .props('unelevated no-caps color=positive').mark('pay')
                        ui.button('Enviar ao cliente', icon='send', on_click=lambda: dialog.submit('send')) \
                            .props('flat no-caps')
                        ui.button('Cancelar cobrança', icon='block', on_click=lambda: dialog.submit('cancel')) \
                            .props('flat no-caps color=grey-8')
                    elif charge.status == 'pago':
                        ui.button('Estornar baixa', icon='undo', on_click=lambda: dialog.submit('undo')) \
                            .props('outline no-caps')
                    else:
                        ui.button('Reabrir', icon='replay', on_click=lambda: dialog.submit('reopen')).props('outline')
                ui.space()
                ui.button('Fechar', on_click=dialog.close).props('flat')
        choice = await dialog
        dialog.delete()
        if choice == 'pay':
            await self.pay(detail)
            return
        if choice == 'cancel':
            question = f'Cancelar a cobrança "{charge.title}" de {charge.client_name}?'
            if not await confirm(question, 'Cancelar cobrança'):
                return
            receivables.cancel(self.actor, charge.id)
            ui.notify('Cobrança cancelada.', type='positive')
        elif choice == 'undo':
            if not await confirm(f'Estornar a baixa de "{charge.title}"? A cobrança volta a ficar em aberto e o '
                                 f'recibo é cancelado (o número dele não é reutilizado).', 'Estornar'):
                return
            receivables.undo_payment(self.actor, charge.id)
            ui.notify('Baixa estornada; recibo cancelado.', type='positive')
        elif choice == 'reopen':
            receivables.reopen(self.actor, charge.id)
            ui.notify('Cobrança reaberta.', type='positive')
        elif choice == 'send':
            count = receivables.send_to_client(self.actor, charge.id)
            ui.notify(f'Cobrança enviada por e-mail ({count} destinatário{"s" if count != 1 else ""}).',
                      type='positive')
        if choice:
            self.load()

    @action
    async def download_boleto(self, charge_id) -> None:
        name, data = await run.io_bound(receivables.boleto_pdf, self.actor, charge_id)
        ui.download.content(data, name, 'application/pdf')

    @action
    async def download_receipt(self, receipt_id) -> None:
        name, data = await run.io_bound(receivables.receipt_pdf, self.actor, receipt_id)
        ui.download.content(data, name, 'application/pdf')

    async def pay(self, detail: ChargeDetail) -> None:
        charge = detail.charge
        with ui.dialog() as dialog, ui.card().classes('w-full').style('max-width: 480px'):
            ui.label('Dar baixa').classes('text-h6')
            ui.label(f'{charge.client_name} — {charge.title}: {formatting.money(charge.amount_cents)}, vencimento '
                     f'{formatting.day(charge.due_date)}').classes('text-grey-8')
            form = Form()
            with ui.row().classes('w-full no-wrap gap-2'):
                paid_date = form.add('paid_date', date_input('Data do pagamento', clock.today())
                                     .props('outlined dense').classes('col').mark('paid-date'))
                form_select = form.add('payment_form', ui.select(receivables.PAYMENT_FORMS, label='Forma',
                                                                 value='pix').props('outlined dense')
                                       .classes('col').mark('payment-form'))
            with ui.row().classes('w-full no-wrap gap-2'):
                discount = form.add('discount', ui.input('Desconto (R$)', value='0,00')
                                    .props('outlined dense inputmode=decimal').classes('col'))
                addition = form.add('addition', ui.input('Juros/multa (R$)', value='0,00')
                                    .props('outlined dense inputmode=decimal').classes('col').mark('addition'))
            received = form.add('received', ui.input('Valor recebido (R$)',
                                                     value=formatting.cents_to_input(charge.amount_cents))
                                .props('outlined dense inputmode=decimal').classes('w-full').mark('received'))
            hint = ui.label('').classes('text-caption text-grey-8')

            def suggest_fees() -> None:
                """Multa and juros from Meus Dados when the payment is late."""
                try:
                    when = formatting.parse_day(paid_date.value)
                except ValueError:
                    return
                if when is None:
                    return
                fees = late_fees(charge.amount_cents, charge.due_date, when, detail.fine_bp, detail.interest_bp_month)
                addition.value = formatting.cents_to_input(fees.total_cents)
                hint.text = (f'{fees.days_late} dia(s) de atraso: multa {formatting.money(fees.fine_cents)} + juros '
                             f'{formatting.money(fees.interest_cents)} (Meus Dados). Ajuste se preciso.'
                             if fees.total_cents else '')

            def recompute() -> None:
                try:
                    d = formatting.parse_money(discount.value or '0')
                    a = formatting.parse_money(addition.value or '0')
                except ValueError:
                    return
                received.value = formatting.cents_to_input(charge.amount_cents - d + a)
            discount.on_value_change(recompute)
            addition.on_value_change(recompute)
            paid_date.on_value_change(suggest_fees)
            suggest_fees()
            ui.label('A baixa emite um recibo numerado e avisa o cliente.').classes('text-caption text-grey-8')

            async def submit() -> None:
                result = await form.submit(lambda: receivables.pay(
                    self.actor, charge.id, paid_date=paid_date.value, received=received.value,
                    discount=discount.value, addition=addition.value, payment_form=form_select.value))
                if result is not None:
                    dialog.submit(result)
            with ui.row().classes('w-full justify-end'):
                ui.button('Cancelar', on_click=dialog.close).props('flat')
                ui.button('Confirmar baixa', on_click=action(submit)).props('unelevated color=positive') \
                    .mark('confirm-pay')
        receipt_id = await dialog
        dialog.delete()
        if receipt_id:
            ui.notify('Baixa registrada; recibo emitido.', type='positive')
            self.load()
            await self.open(str(charge.id))

    # ---- new charge and monthly generation --------------------------------------------------------------------

    @action
    async def new_charge(self) -> None:
        actor = self.actor
        options = receivables.client_options(actor)
        with ui.dialog().props('persistent') as dialog, ui.card().classes('w-full').style('max-width: 560px'):
            ui.label('Nova cobrança').classes('text-h6')
            form = Form()
            client = form.add('client_id', ui.select(options, label='Cliente', with_input=True, clearable=True)
                              .props('outlined dense options-dense input-debounce=300').classes('w-full')
                              .mark('form-client'))

            def search_clients(e) -> None:
                text = e.args if isinstance(e.args, str) else ''
                client.set_options(receivables.client_options(actor, text, include=client.value), value=client.value)
            client.on('input-value', action(search_clients))
            description = form.add('description', ui.input('Descrição (ex.: Abertura de empresa)')
                                   .props('outlined dense maxlength=200').classes('w-full').mark('form-description'))
            amount = form.add('amount', ui.input('Valor total (R$)').props('outlined dense inputmode=decimal')
                              .classes('w-full').mark('form-amount'))
            with ui.row().classes('w-full no-wrap gap-2'):
                issue = form.add('issue_date', date_input('Emissão', clock.today()).props('outlined dense')
                                 .classes('col'))
                due = form.add('due_date', date_input('Vencimento (1ª parcela)').props('outlined dense')
                               .classes('col').mark('form-due'))
            with ui.row().classes('w-full items-center no-wrap gap-2'):
                installments = form.add('installments', ui.number('Parcelas', value=1, min=1, max=120, precision=0)
                                        .props('outlined dense').classes('w-28').mark('form-installments'))
                preview = ui.label('').classes('text-caption text-grey-8 col')
            ui.label('Parcelas mensais, no mesmo dia; vencimentos em fim de semana ou feriado passam para o dia útil '
                     'seguinte. O cliente é avisado no portal e por e-mail (com boleto e PIX, se configurados).') \
                .classes('text-caption text-grey-8')

            def show_split() -> None:
                try:
                    cents = formatting.parse_money(amount.value)
                    n = int(installments.value or 0)
                    parts = split_installments(cents, n) if 1 < n <= 120 and cents > 0 else []
                except (ValueError, TypeError):
                    parts = []
                shown = ' + '.join(formatting.money(p) for p in parts[:3])
                preview.text = f'{len(parts)}×: {shown}{" + …" if len(parts) > 3 else ""}' if parts else ''
            amount.on_value_change(show_split)
            installments.on_value_change(show_split)

            async def save() -> None:
                result = await form.submit(lambda: receivables.create(
                    actor, client_id=client.value, description=description.value, amount=amount.value,
                    due_date=due.value, issue_date=issue.value, installments=installments.value))
                if result is not None:
                    dialog.submit(result)
            with ui.row().classes('w-full justify-end'):
                ui.button('Cancelar', on_click=dialog.close).props('flat')
                ui.button('Salvar', on_click=action(save)).props('unelevated').mark('form-save')
        created = await dialog
        dialog.delete()
        if created:
            n = len(created)
            ui.notify('Cobrança incluída; o cliente foi avisado.' if n == 1
                      else f'{n} parcelas incluídas; o cliente foi avisado.', type='positive')
            self.load()

    @action
    async def generate(self) -> None:
        today = clock.today()
        with ui.dialog() as dialog, ui.card().style('max-width: 460px'):
            ui.label('Gerar honorários do mês').classes('text-h6')
            ui.label('Cria, para cada cliente ativo com honorários, a cobrança da competência escolhida, no dia de '
                     'vencimento do cliente (passando para o dia útil seguinte em fim de semana ou feriado). '
                     'Clientes que já têm a cobrança desta competência não são repetidos.') \
                .classes('text-grey-8 text-sm')
            form = Form()
            competence = form.add('competence', ui.input('Competência (mm/aaaa)', value=today.strftime('%m/%Y'))
                                  .props('outlined dense mask="##/####"').classes('w-full').mark('competence'))

            async def submit() -> None:
                result = await form.submit(lambda: run.io_bound(receivables.generate_month, self.actor,
                                                                competence.value))
                if result is not None:
                    dialog.submit(('ok', result, competence.value))
            with ui.row().classes('w-full justify-end'):
                ui.button('Cancelar', on_click=dialog.close).props('flat')
                ui.button('Gerar', on_click=action(submit)).props('unelevated').mark('confirm-generate')
        result = await dialog
        dialog.delete()
        if not result:
            return
        _, count, comp = result
        if count:
            ui.notify(f'{count} cobrança{"s" if count != 1 else ""} de honorários gerada{"s" if count != 1 else ""} '
                      f'para {comp}.', type='positive')
        else:
            ui.notify(f'Nenhuma cobrança nova: todos os clientes com honorários já têm a de {comp}.', type='info')
        self.load()


# --------------------------------------------------------------------------------------------------------------------
# Pieces shared with the client's Financeiro
# --------------------------------------------------------------------------------------------------------------------

def pix_block(actor: Actor, charge_id, payload: str, problem: str) -> None:
    """PIX copia e cola with a copy button and the QR code (drawn off the event loop once shown)."""
    if not payload:
        if problem:
            ui.label(problem).classes('text-caption text-grey-8').mark('pix-problem')
        return
    with ui.row().classes('w-full items-start gap-3').mark('pix'):
        qr = ui.image('').classes('w-36 h-36 shrink-0').props('alt="QR Code PIX" no-spinner')
        with ui.column().classes('col gap-1').style('min-width:220px'):
            ui.label('PIX copia e cola').classes('text-weight-medium')
            ui.label(payload).classes('conton-pix-code w-full').mark('pix-code')

            def copy() -> None:
                ui.clipboard.write(payload)
                ui.notify('Código PIX copiado.', type='positive')
            ui.button('Copiar código', icon='content_copy', on_click=copy).props('outline dense no-caps') \
                .mark('pix-copy')

    async def load_qr() -> None:
        try:
            code = await run.io_bound(receivables.pix_code, actor, charge_id)
        except (NotFound, ValidationError):
            code = None
        if qr.is_deleted:
            return  # the dialog was closed meanwhile
        if code is None:  # not available, or the app is stopping
            qr.set_visibility(False)
            return
        qr.set_source('data:image/png;base64,' + base64.b64encode(code.png).decode())
    ui.timer(0.01, action(load_qr), once=True)


def boleto_note(detail: ChargeDetail, *, staff: bool = True) -> None:
    if detail.boleto_missing:
        if staff:
            listed = ', '.join(detail.boleto_missing)
            ui.label(f'Boleto indisponível: falta em Meus Dados > Boletos: {listed}.') \
                .classes('text-caption text-negative').mark('boleto-missing')
        return
    if staff:
        ui.label(f'Atenção: {receivables.REGISTRATION_NOTE}').classes('text-caption text-grey-8')


async def confirm(question: str, yes: str) -> bool:
    with ui.dialog() as dialog, ui.card().style('max-width: 420px'):
        ui.label(question)
        with ui.row().classes('w-full justify-end'):
            ui.button('Voltar', on_click=dialog.close).props('flat')
            ui.button(yes, on_click=lambda: dialog.submit(True)).props('unelevated').mark('confirm-yes')
    result = await dialog
    dialog.delete()
    return bool(result)


def _row_dict(r: ChargeRow) -> dict:
    return {'id': str(r.id), 'due': formatting.day(r.due_date), 'client': r.client_name,
            'document': formatting.document(r.client_document), 'description': r.description, 'parcel': r.parcel,
            'amount': money(r.amount_cents), 'status': r.status, 'status_label': r.status_label,
            'paid': formatting.day(r.paid_date),
            'received': money(r.received_cents) if r.status == 'pago' else ''}


def _detail_html(detail: ChargeDetail) -> str:
    c = detail.charge
    kind = receivables.KINDS.get(c.kind, c.kind)
    if c.competence:
        kind += f' — competência {formatting.competence(c.competence)}'
    lines = [('Tipo', kind),
             ('Valor', formatting.money(c.amount_cents)),
             ('Emissão', formatting.day(c.issue_date)),
             ('Vencimento', formatting.day(c.due_date))]
    if c.parcel:
        lines.append(('Parcela', c.parcel))
    if c.nosso_numero:
        lines.append(('Nosso número', str(c.nosso_numero)))
    if c.status == 'pago':
        lines += [('Pagamento', f'{formatting.day(c.paid_date)} — {c.payment_form_label}'),
                  ('Desconto', formatting.money(c.discount_cents)),
                  ('Juros/multa', formatting.money(c.addition_cents)),
                  ('Valor recebido', formatting.money(c.received_cents))]
    for r in detail.receipts:
        state = ' (cancelado: baixa estornada)' if r.cancelled else ''
        lines.append(('Recibo', f'nº {r.number:06d}, {formatting.money(r.amount_cents)} em '
                                f'{formatting.day(r.paid_date)}{state}'))
    rows = ''.join(f'<tr><td>{esc(k)}</td><td>{esc(v)}</td></tr>' for k, v in lines)
    return f'<table class="conton-facts-table" style="width:100%;border-collapse:collapse">{rows}</table>'
