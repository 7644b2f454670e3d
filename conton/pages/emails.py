"""E-mails: the outbox log. Every message the portal sends is a row here (queued, sent or failed), readable in its
text version; failed or queued ones can be re-sent. Without SMTP they stay queued and readable (set-password links
included, for the administrator)."""
from __future__ import annotations

from fastapi import Request
from nicegui import ui

from .. import formatting
from ..models import OutboxEmail
from ..services import mail
from ..services.errors import NotFound
from ..services.permissions import Actor
from . import listing
from .common import action, not_found, page_title
from .widgets import segmented_html
from .frame import esc, frame, guard

PATH = '/emails'
PER_PAGE = 30
STATUS_FILTERS = {'': 'Todos', 'queued': 'Na fila', 'failed': 'Falharam', 'sent': 'Enviados'}
TAGS = {'queued': 'wait', 'sent': 'on', 'failed': 'bad'}


# --- list --------------------------------------------------------------------------------------------------------

@ui.page('/emails')
def emails_page(request: Request) -> None:
    """The list idiom of pages/listing.py: status links with their counts, a GET search form, server-rendered rows
    and pager."""
    actor = guard('emails', title='E-mails')
    if actor is None:
        return
    params = request.query_params
    text = (params.get('q') or '').strip()[:100]
    status = params.get('situacao', '') if params.get('situacao', '') in STATUS_FILTERS else ''
    page = listing.page_number(params)
    with frame(actor, 'E-mails'):
        page_title('E-mails', 'emails')
        smtp_banner()
        found = mail.search(actor, status=status, text=text, page=page, per_page=PER_PAGE)
        counts = found.counts
        tabs = segmented_html([(f'{label} ({sum(counts.values()) if not key else counts.get(key, 0)})',
                                listing.url(PATH, {}, q=text, situacao=key) if (text or key) else PATH,
                                key == status) for key, label in STATUS_FILTERS.items()], 'Situação')
        form = listing.form_html(PATH, listing.text_html('q', 'Buscar', text, 'Destinatário ou assunto'),
                                 clear_url=PATH, button='Buscar', hidden={'situacao': status})
        ui.html(tabs + form).classes('w-full').mark('status-filter')
        if not found.rows:
            empty = 'Nenhuma mensagem encontrada.' if text or status else 'Nenhuma mensagem ainda.'
            ui.html(f'<div class="conton-empty">{empty}</div>').classes('w-full').mark('emails-table')
            return
        query = {k: v for k, v in (('q', text), ('situacao', status)) if v}
        pages = max(1, -(-found.total // PER_PAGE))
        ui.html(listing.total_html(found.total, 'mensagem', 'mensagens') + table_html(found.rows)
                + listing.pager_html(PATH, query, min(page, pages), pages)).classes('w-full').mark('emails-table')


def smtp_banner(compact: bool = False) -> None:
    if mail.smtp_configured():
        return
    if compact:
        with ui.row().classes('w-full items-center no-wrap gap-2 q-pa-sm rounded-borders bg-amber-1 text-brown-10 '
                              'q-mb-sm').mark('smtp-banner'):
            ui.icon('warning', color='amber-9')
            with ui.element('div'):
                ui.label('SMTP não configurado: as mensagens ficam na fila.').classes('inline')
                ui.link('Como configurar', '/ajuda/emails').classes('q-ml-xs')
        return
    with ui.row().classes('w-full items-start no-wrap gap-3 q-pa-md rounded-borders bg-amber-1 text-brown-10 q-mb-md') \
            .mark('smtp-banner'):
        ui.icon('warning', size='md', color='amber-9')
        with ui.column().classes('gap-1'):
            ui.label('O envio de e-mails (SMTP) não está configurado.').classes('text-weight-medium')
            ui.label('As mensagens ficam na fila e podem ser lidas aqui, inclusive os links para definir senha. '
                     'Para enviá-las, informe o servidor de e-mail no arquivo .env do Conton (ou nas variáveis de '
                     'ambiente) e reinicie o Conton:')
            ui.html('<code>CONTON_SMTP_HOST</code>, <code>CONTON_SMTP_PORT</code> (587), <code>CONTON_SMTP_USER'
                    '</code>, <code>CONTON_SMTP_PASSWORD</code>, <code>CONTON_SMTP_SECURITY</code> (starttls, ssl ou '
                    'none) e <code>CONTON_MAIL_FROM</code> (o remetente).').classes('text-sm')
            ui.label('As mensagens na fila são enviadas assim que o SMTP funcionar.').classes('text-sm')


def status_tag(status: str) -> str:
    return f'<span class="conton-tag {TAGS.get(status, "wait")}">{esc(mail.STATUS_LABELS.get(status, status))}</span>'


def table_html(rows: list[OutboxEmail]) -> str:
    """A table on larger screens, cards on a phone (both escaped HTML, cheap to render)."""
    head = ('<thead><tr><th>Assunto</th><th>Para</th><th>Situação</th><th>Criado em</th><th>Tentativas</th>'
            '</tr></thead>')
    body, cards = [], []
    for r in rows:
        link = f'<a href="/emails/{r.id}">{esc(r.subject or "(sem assunto)")}</a>'
        error = f'<div class="err" title="{esc(r.last_error)}">{esc(r.last_error)}</div>' \
            if r.last_error and r.status != 'sent' else ''
        sent = f'<div class="small">enviado {esc(formatting.when(r.sent_at))}</div>' if r.sent_at else ''
        body.append(f'<tr><td>{link}</td><td>{esc(r.to_addr)}</td><td>{status_tag(r.status)}{error}</td>'
                    f'<td class="nowrap">{esc(formatting.when(r.created_at))}{sent}</td><td>{r.attempts}</td></tr>')
        tries = f' · {r.attempts} tentativa{"s" if r.attempts != 1 else ""}' if r.attempts else ''
        cards.append(f'<div class="card"><div class="top"><div>{link}</div>{status_tag(r.status)}</div>'
                     f'<div class="line">{esc(r.to_addr)}</div>'
                     f'<div class="small">{esc(formatting.when(r.created_at))}{tries}</div>{error}</div>')
    return (f'<div class="gt-xs conton-table"><table class="conton-list mail">{head}'
            f'<tbody>{"".join(body)}</tbody></table>'
            f'</div><div class="xs conton-cards">{"".join(cards)}</div>')


# --- one message -------------------------------------------------------------------------------------------------

@ui.page('/emails/{email_id}')
def email_page(email_id: str) -> None:
    actor = guard('emails', title='E-mail')
    if actor is None:
        return
    try:
        row = mail.get(actor, email_id)
    except NotFound:
        with frame(actor, 'E-mail'):
            not_found()
        return
    with frame(actor, 'E-mail'):
        ui.link('← E-mails', '/emails').classes('text-sm')
        page_title(row.subject or '(sem assunto)', 'emails')
        smtp_banner(compact=True)
        with ui.card().classes('w-full'):
            with ui.row().classes('w-full items-center gap-2'):
                ui.html(status_tag(row.status)).mark('email-status')
                ui.space()
                if row.status in ('queued', 'failed') and actor.can('emails', 'write'):
                    ui.button('Reenviar', icon='send', on_click=lambda: resend(actor, row)) \
                        .props('unelevated no-caps')
            ui.html(facts_html(row)).classes('w-full')
        with ui.card().classes('w-full'):
            ui.label('Mensagem (versão em texto)').classes('text-subtitle1 text-weight-medium')
            ui.label(row.text).classes('conton-mailtext').mark('email-text')
            if row.attachments:
                ui.label('Anexos: ' + ', '.join(a['name'] for a in row.attachments)).classes('text-sm text-grey-8')


def facts_html(row: OutboxEmail) -> str:
    facts = [('Para', row.to_addr), ('Tentativas', str(row.attempts)), ('Criado em', formatting.when(row.created_at))]
    if row.sent_at:
        facts.append(('Enviado em', formatting.when(row.sent_at)))
    elif row.status == 'queued' and row.attempts:
        facts.append(('Próxima tentativa', formatting.when(row.next_attempt_at)))
    if row.last_error and row.status != 'sent':
        facts.append(('Último erro', row.last_error))
    wide = {'Último erro': ' wide', 'Para': ' to'}
    parts = [f'<div class="f{wide.get(k, "")}"><div class="k">{esc(k)}</div>'
             f'<div class="v">{esc(v)}</div></div>' for k, v in facts]
    return f'<div class="conton-facts mail">{"".join(parts)}</div>'


@action
def resend(actor: Actor, row: OutboxEmail) -> None:
    mail.retry(actor, row.id)
    ui.notify('Mensagem de volta à fila: será enviada em até um minuto.' if mail.smtp_configured() else
              'Mensagem de volta à fila. Ela será enviada quando o SMTP for configurado.', type='positive')
    ui.navigate.to(f'/emails/{row.id}')
