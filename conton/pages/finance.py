"""Painel financeiro: received vs paid per month (ui.echart), open totals and the overdue lists of both sides."""
from __future__ import annotations

from nicegui import ui

from .. import formatting
from ..services import finance
from ..services.finance import Overdue, Totals
from .common import page_title
from .frame import esc, frame, guard



@ui.page('/financeiro')
def finance_page() -> None:
    actor = guard('finance', title='Painel financeiro')
    if actor is None:
        return
    with frame(actor, 'Painel financeiro'):
        page_title('Painel financeiro', 'painel-financeiro')
        data = finance.dashboard(actor)
        ui.html(_stats_html(data)).classes('w-full').mark('finance-stats')
        with ui.card().classes('w-full q-pa-sm'):
            ui.label('Recebido × pago por mês (últimos 12 meses)') \
                .classes('text-subtitle1 text-weight-medium q-px-sm')
            ui.echart(_chart(data)).classes('w-full').style('height: 320px').mark('finance-chart')
        ui.html('<div class="conton-lists">'
                + _late_html('Recebimentos vencidos', data.overdue_receivables, data.receivables, 'Cliente',
                             '/recebimentos?status=vencido' if actor.can('receivables') else '')
                + _late_html('Pagamentos vencidos', data.overdue_payables, data.payables, 'Fornecedor',
                             '/pagamentos?status=vencido' if actor.can('payables') else '')
                + '</div>').classes('w-full').mark('finance-overdue')


def _stats_html(data: finance.Dashboard) -> str:
    def stat(key: str, value: int, sub: str, late: bool = False) -> str:
        return (f'<div class="conton-stat"><div class="k">{esc(key)}</div><div class="v">'
                f'{esc(formatting.money(value))}</div><div class="s{" late" if late else ""}">{esc(sub)}</div></div>')

    def open_sub(t: Totals, word: str) -> str:
        base = f'{t.open_count} {word}{"s" if t.open_count != 1 else ""} em aberto'
        if t.overdue_count:
            base += f'; {t.overdue_count} vencid{"as" if t.overdue_count != 1 else "a"}: ' \
                    f'{formatting.money(t.overdue_cents)}'
        return base
    r, p = data.receivables, data.payables
    return ('<div class="conton-stats">'
            + stat('A receber (em aberto)', r.open_cents, open_sub(r, 'cobrança'), bool(r.overdue_count))
            + stat('A pagar (em aberto)', p.open_cents, open_sub(p, 'conta'), bool(p.overdue_count))
            + stat('Recebido em 12 meses', data.received_cents, 'cobranças pagas, pela data do pagamento')
            + stat('Pago em 12 meses', data.paid_cents, 'contas pagas, pela data do pagamento')
            + '</div>')


def _chart(data: finance.Dashboard) -> dict:
    reais = ':v => "R$ " + Number(v).toLocaleString("pt-BR", {minimumFractionDigits: 2, maximumFractionDigits: 2})'
    return {
        'tooltip': {'trigger': 'axis', ':valueFormatter': reais},
        'legend': {'data': ['Recebido', 'Pago', 'Saldo'], 'bottom': 0},
        'grid': {'left': 8, 'right': 16, 'top': 16, 'bottom': 36, 'containLabel': True},
        'xAxis': {'type': 'category', 'data': [m.label for m in data.months]},
        'yAxis': {'type': 'value', 'axisLabel': {
            ':formatter': 'v => Number(v).toLocaleString("pt-BR", {notation: "compact"})'}},
        'series': [
            {'name': 'Recebido', 'type': 'bar', 'color': '#2e7d32',
             'data': [m.received_cents / 100 for m in data.months]},
            {'name': 'Pago', 'type': 'bar', 'color': '#c62828', 'data': [m.paid_cents / 100 for m in data.months]},
            {'name': 'Saldo', 'type': 'line', 'color': '#1565c0',
             'data': [m.balance_cents / 100 for m in data.months]},
        ],
    }


def _late_html(title: str, items: list[Overdue], totals: Totals, who: str, link: str) -> str:
    if items:
        rows = ''.join(
            f'<tr><td>{esc(i.name or "—")}<div class="d">{esc(i.description)}</div></td>'
            f'<td class="n">{esc(formatting.day(i.due_date))}<div class="d">{i.days_late} dia'
            f'{"s" if i.days_late != 1 else ""}</div></td><td class="n">{esc(formatting.money(i.amount_cents))}</td>'
            f'</tr>' for i in items)
        body = (f'<table><thead><tr><th>{esc(who)}</th><th class="n">Vencimento</th><th class="n">Valor</th></tr>'
                f'</thead><tbody>{rows}</tbody></table>')
    else:
        body = '<div class="empty">Nada vencido.</div>'
    more = ''
    if link:
        label = f'Ver todos ({totals.overdue_count})' if totals.overdue_count > len(items) else 'Abrir lista'
        more = f'<a class="more" href="{esc(link)}">{esc(label)} →</a>'
    return f'<section class="conton-late"><h2>{esc(title)}</h2>{body}{more}</section>'
