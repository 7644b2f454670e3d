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
from .frame import client_guard, esc, frame, icon
from .listing import badge
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
        # staff changes, live: read and rendered once per client, the same HTML handed to each of its tabs
        live.subscribe(receivables.TOOL, actor, region.show, load=receivables.portal, render=region_html)
        with ui.row().classes('w-full items-start no-wrap gap-2 q-mt-md text-grey-8'):
            ui.icon('info', size='sm', color='primary')
            ui.label('Pagou e a cobrança ainda aparece em aberto? O escritório registra o pagamento assim que o '
                     'recebe; pagamentos por boleto podem levar até 3 dias úteis para serem compensados.')


class Charges:
    """The summary and both lists of one tab, as one server-rendered HTML region (`region_html`).

    Live, the hub reads the client's view once and renders it once (`subscribe(..., render=region_html)`); every tab
    of that client receives the same string and only swaps its region's content: no element built per tab, one small
    update per tab on the websocket (with hundreds of tabs open, building cards per tab kept the server busy for
    seconds). The card buttons carry `data-act`/`data-id`; one click listener on the region hands them to the
    actions, which check through the services that the charge or recibo is this client's."""

    def __init__(self, actor: Actor, view: PortalView) -> None:
        self.actor = actor
        self.html = ui.html(region_html(view)).classes('w-full').mark('charges') \
            .on('click', self.clicked, js_handler=CLICK_JS)

    def show(self, html: str) -> None:
        self.html.content = html

    async def clicked(self, event) -> None:
        args = event.args if isinstance(event.args, dict) else {}
        act, target = str(args.get('act', '')), str(args.get('id', ''))
        if act == 'boleto':
            await download_boleto(self.actor, target)
        elif act == 'open':
            await open_charge(self.actor, target)
        elif act == 'receipt':
            await download_receipt(self.actor, target)


# A click on a card's button (or inside it) sends that button's action and id; elsewhere in the region, nothing.
CLICK_JS = ('(e) => { const b = e.target.closest("[data-act]"); '
            'if (b) emit({act: b.dataset.act, id: b.dataset.id}); }')


def region_html(view: PortalView) -> str:
    """Summary, open charges and paid ones (with their recibos): the same string for every tab of the client."""
    ready = (view.boleto_ready, view.pix_ready)
    open_cards = ''.join(open_card_html(row, *ready) for row in view.open) or \
        '<div class="text-grey-7">Nenhuma cobrança em aberto. Obrigado!</div>'
    paid_cards = ''.join(paid_card_html(item) for item in view.paid) or \
        '<div class="text-grey-7">Nenhum pagamento registrado ainda.</div>'
    return (f'{summary_html(view)}<div class="text-h6 q-mt-md">Em aberto</div>'
            f'<div class="conton-charge-list">{open_cards}</div>'
            f'<div class="text-h6 q-mt-md">Pagas</div><div class="conton-charge-list">{paid_cards}</div>')


def summary_html(view: PortalView) -> str:
    parts = [f'<span>Em aberto: <b>{esc(formatting.money(view.open_cents))}</b></span>',
             f'<span>{len(view.open)} cobrança{"s" if len(view.open) != 1 else ""}</span>']
    if view.overdue_count:
        parts.append(f'<span class="text-negative">{view.overdue_count} vencida{"s" if view.overdue_count != 1 else ""}'
                     '</span>')
    return f'<div class="conton-summary">{"".join(parts)}</div>'


def _button(act: str, target, label: str, icon_name: str, css: str) -> str:
    return (f'<button type="button" class="conton-act {css}" data-act="{act}" data-id="{esc(str(target))}">'
            f'{icon(icon_name)}<span>{esc(label)}</span></button>')


def _card(title: str, caption: str, amount_cents: int | None, badge_html: str, buttons: str) -> str:
    acts = f'<div class="acts">{buttons}</div>' if buttons else ''
    return (f'<div class="conton-charge-card"><div class="top"><div class="what"><div class="t">{esc(title)}</div>'
            f'<div class="c">{esc(caption)}</div></div><span class="amount">{esc(formatting.money(amount_cents))}'
            f'</span>{badge_html}</div>{acts}</div>')


def open_card_html(row: ChargeRow, boleto_ready: bool, pix_ready: bool) -> str:
    buttons = _button('boleto', row.id, 'Boleto (PDF)', 'receipt_long', 'outline') if boleto_ready else ''
    buttons += _button('open', row.id, 'Pagar com PIX' if pix_ready else 'Detalhes',
                       'qr_code_2' if pix_ready else 'info', 'solid')
    return _card(row.title, f'Vencimento {formatting.day(row.due_date)}', row.amount_cents,
                 badge(row.status, row.status_label), buttons)


def paid_card_html(item: receivables.PaidItem) -> str:
    row = item.charge
    buttons = (_button('receipt', item.receipt_id, f'Recibo nº {item.receipt_number:06d}', 'download', 'outline')
               if item.receipt_id else '')
    return _card(row.title, f'Pago em {formatting.day(row.paid_date)} — {row.payment_form_label}',
                 row.received_cents, '', buttons)


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
