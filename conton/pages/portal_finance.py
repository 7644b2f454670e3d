"""Portal do cliente > Financeiro: the client's open charges (boleto PDF, PIX copia e cola + QR) and its paid ones
with their recibos. Only that client's: every call goes through services that scope by the login's client, and a
download happens only after the service checked ownership. `?cobranca=<id>` opens one charge (notification links);
another client's id shows 'Cobrança não encontrada.'"""
from __future__ import annotations

from fastapi import Request
from nicegui import run, ui

from .. import formatting
from ..services import live, receivables
from ..services.errors import NotFound
from ..services.permissions import Actor
from ..services.receivables import ChargeRow, PortalView
from .common import action, page_title
from .frame import client_guard, esc, frame
from .widgets import pix_block, status_badge



@ui.page('/portal/financeiro')
def portal_finance_page(request: Request) -> None:
    actor = client_guard('Financeiro')
    if actor is None:
        return
    with frame(actor, 'Financeiro'):
        page_title('Financeiro', 'portal-financeiro')
        view = receivables.portal(actor)
        wanted = request.query_params.get('cobranca')
        if wanted:
            try:
                receivables.get(actor, wanted)
            except NotFound:
                ui.label('Cobrança não encontrada.').classes('text-negative').mark('missing-charge')
            else:
                ui.timer(0.05, lambda: open_charge(actor, wanted), once=True)
        with ui.column().classes('w-full gap-0 no-wrap').mark('portal-charges'):
            region = Charges(actor, view)
        live.subscribe(receivables.TOOL, actor, region.show, load=receivables.portal)  # staff changes, live
        with ui.row().classes('w-full items-start no-wrap gap-2 q-mt-md text-grey-8'):
            ui.icon('info', size='sm', color='primary')
            ui.label('Pagou e a cobrança ainda aparece em aberto? O escritório registra o pagamento assim que o '
                     'recebe; pagamentos por boleto podem levar até 3 dias úteis para serem compensados.')


class Charges:
    """The summary and both lists of one tab. A live change updates only what changed: the summary's HTML, and the
    cards of the charges that appeared, changed or went (with hundreds of tabs open, rebuilding every card of every
    tab would keep the server busy for everyone)."""

    def __init__(self, actor: Actor, view: PortalView) -> None:
        self.actor = actor
        self.summary = ui.html('').classes('w-full').mark('summary')
        ui.label('Em aberto').classes('text-h6 q-mt-md')
        self.open_empty = ui.column().classes('w-full gap-0')
        self.open_list = ui.column().classes('w-full gap-2').mark('open-charges')
        ui.label('Pagas').classes('text-h6 q-mt-md')
        self.paid_empty = ui.column().classes('w-full gap-0')
        self.paid_list = ui.column().classes('w-full gap-2').mark('paid-charges')
        self.cards: dict[ui.column, dict] = {self.open_list: {}, self.paid_list: {}}
        self.summary.content = summary_html(view)
        self.sync_cards(view)

    def show(self, view: PortalView):
        """Live: the summary at once; the cards (new elements, the costly part) once every tab has its summary."""
        self.summary.content = summary_html(view)

        async def then() -> None:
            if not self.summary.is_deleted:
                self.sync_cards(view)
        return then()

    def sync_cards(self, view: PortalView) -> None:
        _note(self.open_empty, not view.open, 'Nenhuma cobrança em aberto. Obrigado!', 'no-open')
        _note(self.paid_empty, not view.paid, 'Nenhum pagamento registrado ainda.')
        ready = (view.boleto_ready, view.pix_ready)
        self._sync(self.open_list, [((row, ready), lambda row=row: open_card(self.actor, row, *ready))
                                    for row in view.open])
        self._sync(self.paid_list, [(item, lambda item=item: paid_card(self.actor, item)) for item in view.paid])

    def _sync(self, column: ui.column, wanted: list) -> None:
        """Make `column` show one card per (key, build) of `wanted`, in that order, keeping the cards whose key (the
        row as shown) did not change."""
        old, new = self.cards[column], {}
        for index, (key, build) in enumerate(wanted):
            card = old.pop(key, None)
            if card is None:
                with column:
                    card = build()
                card.move(column, target_index=index)
            elif column.default_slot.children.index(card) != index:
                card.move(column, target_index=index)
            new[key] = card
        for card in old.values():
            card.delete()
        self.cards[column] = new


def _note(holder: ui.column, wanted: bool, text: str, marker: str = '') -> None:
    if wanted and not holder.default_slot.children:
        with holder:
            ui.label(text).classes('text-grey-7').mark(marker)
    elif not wanted and holder.default_slot.children:
        holder.clear()


def summary_html(view: PortalView) -> str:
    parts = [f'<span>Em aberto: <b>{esc(formatting.money(view.open_cents))}</b></span>',
             f'<span>{len(view.open)} cobrança{"s" if len(view.open) != 1 else ""}</span>']
    if view.overdue_count:
        parts.append(f'<span class="text-negative">{view.overdue_count} vencida{"s" if view.overdue_count != 1 else ""}'
                     '</span>')
    return f'<div class="conton-summary">{"".join(parts)}</div>'


def open_card(actor: Actor, row: ChargeRow, boleto_ready: bool, pix_ready: bool) -> ui.card:
    with ui.card().props('flat bordered').classes('conton-charge-card q-pa-sm') as card:
        with ui.row().classes('w-full items-center no-wrap gap-2'):
            with ui.column().classes('col gap-0').style('min-width:0'):
                ui.label(row.title).classes('text-weight-medium')
                ui.label(f'Vencimento {formatting.day(row.due_date)}').classes('text-caption text-grey-8')
            ui.label(formatting.money(row.amount_cents)).classes('amount')
            status_badge(row.status, row.status_label)
        with ui.row().classes('gap-2'):
            if boleto_ready:
                ui.button('Boleto (PDF)', icon='receipt_long', on_click=lambda: download_boleto(actor, row.id)) \
                    .props('outline dense no-caps').mark('boleto')
            ui.button('Pagar com PIX' if pix_ready else 'Detalhes', icon='qr_code_2' if pix_ready else 'info',
                      on_click=lambda: open_charge(actor, str(row.id))) \
                .props('unelevated dense no-caps').mark('pix-open')
    return card


def paid_card(actor: Actor, item: receivables.PaidItem) -> ui.card:
    row = item.charge
    with ui.card().props('flat bordered').classes('conton-charge-card q-pa-sm') as card:
        with ui.row().classes('w-full items-center no-wrap gap-2'):
            with ui.column().classes('col gap-0').style('min-width:0'):
                ui.label(row.title).classes('text-weight-medium')
                ui.label(f'Pago em {formatting.day(row.paid_date)} — {row.payment_form_label}') \
                    .classes('text-caption text-grey-8')
            ui.label(formatting.money(row.received_cents)).classes('amount')
        if item.receipt_id:
            ui.button(f'Recibo nº {item.receipt_number:06d}', icon='download',
                      on_click=lambda: download_receipt(actor, item.receipt_id)).props('outline dense no-caps') \
                .mark('receipt')
    return card


@action
async def open_charge(actor: Actor, charge_id: str) -> None:
    detail = receivables.get(actor, charge_id)
    charge = detail.charge
    with ui.dialog() as dialog, ui.card().classes('w-full').style('max-width: 520px'):
        with ui.row().classes('w-full items-start no-wrap'):
            ui.label(charge.title).classes('text-h6 col')
            status_badge(charge.status, charge.status_label).classes('q-mt-sm')
        ui.label(f'{formatting.money(charge.amount_cents)} — vencimento {formatting.day(charge.due_date)}') \
            .classes('text-subtitle1')
        if charge.is_open:
            pix_block(actor, charge.id, detail.pix_payload, '')
            if not detail.pix_payload:
                ui.label('O pagamento por PIX não está disponível para esta cobrança.' +
                         ('' if detail.boleto_missing else ' Use o boleto.')).classes('text-grey-8')
            with ui.row().classes('w-full gap-2'):
                if not detail.boleto_missing:
                    ui.button('Boleto (PDF)', icon='receipt_long',
                              on_click=lambda: download_boleto(actor, charge.id)).props('outline no-caps') \
                        .mark('dialog-boleto')
                ui.space()
                ui.button('Fechar', on_click=dialog.close).props('flat')
        else:
            receipt = detail.receipt
            if charge.status == 'pago':
                ui.label(f'Pago em {formatting.day(charge.paid_date)}.').classes('text-positive')
            with ui.row().classes('w-full gap-2'):
                if receipt:
                    ui.button(f'Recibo nº {receipt.number:06d}', icon='download',
                              on_click=lambda: download_receipt(actor, receipt.id)).props('outline no-caps')
                ui.space()
                ui.button('Fechar', on_click=dialog.close).props('flat')
    await dialog
    dialog.delete()


@action
async def download_boleto(actor: Actor, charge_id) -> None:
    name, data = await run.io_bound(receivables.boleto_pdf, actor, charge_id)
    ui.download.content(data, name, 'application/pdf')


@action
async def download_receipt(actor: Actor, receipt_id) -> None:
    name, data = await run.io_bound(receivables.receipt_pdf, actor, receipt_id)
    ui.download.content(data, name, 'application/pdf')
