"""Recebimentos: what clients owe the office. Filters (kept in the URL), totals, a paged table (cards on a phone),
monthly generation of honorários, new one-off charges (with installments), and a detail dialog with boleto, PIX,
baixa / recibo / estorno / cancelar / reenviar.

Dialogs are built only when opened, so the list page itself stays a couple of dozen elements.
`/recebimentos?cobranca=<id>` opens a charge's detail at once (links of notifications)."""
from __future__ import annotations


from fastapi import Request
from nicegui import run, ui

from .. import clock, formatting
from ..br.money import late_fees, split_installments
from ..services import live, receivables
from ..services.errors import NotFound
from ..services.permissions import Actor
from ..services.receivables import ChargeDetail, ChargeFilter, ChargeRow
from ..formatting import money
from .common import Form, action, date_input, page_title
from . import listing
from .frame import esc, frame, guard
from .widgets import confirm, pix_block, status_badge

PER_PAGE = 25


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
    page = listing.page_number(params)
    with frame(actor, 'Recebimentos'):
        page_title('Recebimentos', 'recebimentos')
        view = ChargesView(actor, filt, page, listing.bad_dates(params))
        if params.get('cobranca'):
            view.open_from_url(params['cobranca'])


class ChargesView:
    """Per-tab state of the list: the filter, the page and the elements that show them."""

    def __init__(self, actor: Actor, filt: ChargeFilter, page: int, bad_dates: dict[str, str] | None = None) -> None:
        self.actor = actor
        self.bad_dates = bad_dates or {}
        self.filt = filt
        self.page = page
        self.writable = actor.can('receivables', 'write')
        self.build()
        self.load()
        # live: another user's change re-renders the list and totals (read once for all tabs showing this same list)
        live.subscribe(receivables.TOOL, actor, self.show, load=self.fetch, key=self.url)

    # ---- layout -----------------------------------------------------------------------------------------------

    def build(self) -> None:
        self.head = ui.html('').classes('w-full').mark('filters totals')
        if self.writable:
            with ui.row().classes('w-full items-center gap-2'):
                ui.button('Nova cobrança', icon='add', on_click=self.new_charge).props('unelevated no-caps') \
                    .mark('new-charge')
                ui.button('Gerar honorários do mês', icon='event_repeat', on_click=self.generate) \
                    .props('outline no-caps').mark('generate')
        self.table = ui.html('').classes('w-full conton-table').mark('charges')

    # ---- data -------------------------------------------------------------------------------------------------

    def query(self) -> dict:
        f = self.filt
        return {'status': f.status, 'cliente': f.client.strip(), 'data': f.date_field, 'de': listing.iso(f.start),
                'ate': listing.iso(f.end)}

    def load(self) -> None:
        self.show(self.fetch(self.actor))

    def fetch(self, actor: Actor):
        return receivables.search(actor, self.filt, page=self.page, per_page=PER_PAGE)

    def show(self, result) -> None:
        self.page = result.page
        f, query = self.filt, self.query()
        month = ChargeFilter.current_month()
        month_url = listing.url('/recebimentos', {**query, 'data': 'vencimento', 'de': listing.iso(month.start),
                                                  'ate': listing.iso(month.end)})
        form = listing.filter_html('/recebimentos', receivables.STATUS_FILTERS, f.status, 'cliente',
                                   'Cliente (nome ou CPF/CNPJ)', f.client, receivables.DATE_FIELDS, f.date_field,
                                   f.start, f.end, month_url, self.bad_dates)
        plural = 's' if result.total != 1 else ''
        parts = [f'<span><b>{result.total}</b> cobrança{plural}</span>',
                 f'<span>Valor: <b>{esc(money(result.amount_cents))}</b></span>']
        if f.status in ('', 'pago'):
            parts.append(f'<span>Recebido: <b>{esc(money(result.received_cents))}</b></span>')
        if f.status in ('', 'aberto', 'pendente', 'vencido'):
            parts.append(f'<span>Em aberto: <b>{esc(money(result.open_cents))}</b></span>')
        self.head.content = f'{form}<div class="conton-totals">{"".join(parts)}</div>'
        pages = max(1, -(-result.total // PER_PAGE))
        self.table.content = (_table_html(result.rows, query, self.page)
                              + listing.pager_html('/recebimentos', query, self.page, pages))

    def url(self) -> str:
        return listing.url('/recebimentos', self.query(), pagina=self.page if self.page > 1 else None)

    def clean_url(self) -> None:
        """Once a `?cobranca=` link is acted on, the address shows just the list again."""
        ui.navigate.history.replace(self.url())

    # ---- detail and actions -----------------------------------------------------------------------------------

    def open_from_url(self, charge_id: str) -> None:
        """`?cobranca=<id>`: open it, or say plainly that it does not exist (never which one it was)."""
        try:
            receivables.get(self.actor, charge_id)
        except NotFound:
            ui.label('Cobrança não encontrada.').classes('text-negative').mark('missing-charge') \
                .move(self.head.parent_slot.parent, target_index=1)
            return
        ui.timer(0.05, lambda: self.clean_url() or self.open(charge_id), once=True)

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
                status_badge(charge.status, charge.status_label).classes('q-mt-sm')
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
            count = await run.io_bound(receivables.send_to_client, self.actor, charge.id)  # draws the boleto
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
                                    .props('outlined dense inputmode=decimal').classes('col').mark('discount'))
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
                received.value = formatting.cents_to_input(receivables.net_paid(charge.amount_cents, d, a))
            discount.on_value_change(recompute)
            addition.on_value_change(recompute)
            paid_date.on_value_change(suggest_fees)
            suggest_fees()
            ui.label('A baixa emite um recibo numerado e avisa o cliente.').classes('text-caption text-grey-8')

            async def submit() -> None:
                result = await form.submit(lambda: run.io_bound(  # draws the recibo
                    receivables.pay, self.actor, charge.id, paid_date=paid_date.value, received=received.value,
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
                installments = form.add('installments', ui.number('Parcelas', value=1, min=1, precision=0,
                                                                  max=receivables.MAX_INSTALLMENTS)
                                        .props('outlined dense').classes('w-28').mark('form-installments'))
                preview = ui.label('').classes('text-caption text-grey-8 col')
            ui.label('Parcelas mensais, no mesmo dia; vencimentos em fim de semana ou feriado passam para o dia útil '
                     'seguinte. O cliente é avisado no portal e por e-mail (com boleto e PIX, se configurados).') \
                .classes('text-caption text-grey-8')

            def show_split() -> None:
                try:
                    cents = formatting.parse_money(amount.value)
                    n = int(installments.value or 0)
                    parts = split_installments(cents, n) if 1 < n <= receivables.MAX_INSTALLMENTS and cents > 0 else []
                except (ValueError, TypeError):
                    parts = []
                shown = ' + '.join(formatting.money(p) for p in parts[:3])
                preview.text = f'{len(parts)}×: {shown}{" + …" if len(parts) > 3 else ""}' if parts else ''
            amount.on_value_change(show_split)
            installments.on_value_change(show_split)

            async def save() -> None:
                result = await form.submit(lambda: run.io_bound(  # draws the boleto for the e-mail
                    receivables.create, actor, client_id=client.value, description=description.value,
                    amount=amount.value, due_date=due.value, issue_date=issue.value, installments=installments.value))
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
# Boleto note (the client's Financeiro has none)
# --------------------------------------------------------------------------------------------------------------------

def boleto_note(detail: ChargeDetail, *, staff: bool = True) -> None:
    if detail.boleto_missing:
        if staff:
            listed = ', '.join(detail.boleto_missing)
            ui.label(f'Boleto indisponível: falta em Meus Dados > Boletos: {listed}.') \
                .classes('text-caption text-negative').mark('boleto-missing')
        return
    if staff:
        ui.label(f'Atenção: {receivables.REGISTRATION_NOTE}').classes('text-caption text-grey-8')


def _table_html(rows: list[ChargeRow], query: dict, page: int) -> str:
    """The page of charges as one escaped table; each row links to `?cobranca=<id>` (opens its detail)."""
    head = ('<thead><tr><th>Vencimento</th><th>Cliente</th><th>Descrição</th><th class="num">Valor</th>'
            '<th>Situação</th><th>Pagamento</th></tr></thead>')
    base = esc(listing.url('/recebimentos', query, pagina=page if page > 1 else None))
    body = []
    for r in rows:
        link = f'{base}&amp;cobranca={r.id}'
        parcel = f' <span class="small parcel">· {esc(r.parcel)}</span>' if r.parcel else ''
        received = (f'<div class="small">{esc(money(r.received_cents))}</div>' if r.status == 'pago' else '')
        body.append(
            f'<tr><td class="nw hide-sm" data-label="Vencimento">{esc(formatting.day(r.due_date))}</td>'
            f'<td class="wrap first"><a class="open" href="{link}">{esc(r.client_name)}</a>'
            f'<div class="small">{esc(formatting.document(r.client_document))}</div></td>'
            f'<td class="wrap">{esc(r.description)}{parcel}'
            f'<div class="small lt-sm">Venc. {esc(formatting.day(r.due_date))}</div></td>'
            f'<td class="num" data-label="Valor">{esc(money(r.amount_cents))}</td>'
            f'<td class="st">{listing.badge(r.status, r.status_label)}</td>'
            f'<td class="nw" data-label="Pagamento">{esc(formatting.day(r.paid_date))}{received}</td></tr>')
    if not body:
        body.append('<tr><td colspan="6" class="empty">Nenhuma cobrança encontrada com estes filtros.</td></tr>')
    return f'<table class="conton-fin">{head}<tbody>{"".join(body)}</tbody></table>'


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
    if detail.nosso_numero:
        lines.append(('Nosso número', detail.nosso_numero))
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
