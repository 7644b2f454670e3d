"""Portal do cliente > Documentos: what the office asked this client for, the pending ones first with their due dates
(overdue ones marked), and the answered or closed ones below. `?pedido=<id>` opens one to answer: upload the files
(the browser shows each upload's progress; the service checks size, type and quota, and they go to the client's
Arquivos) or "Nada a enviar este mês" with an optional comment. Only this client's: another client's id answers
"Pedido não encontrado." (never telling it exists), and the page hears only its own client's changes, live."""
from __future__ import annotations

from fastapi import Request
from nicegui import ui

from .. import formatting
from ..services import docrequests, files, live
from ..services.docrequests import DocRequestDetail, DocRequestRow, PortalView
from ..services.errors import NotFound
from ..services.permissions import Actor
from ..uploads import file_upload
from . import listing
from .common import Form, action, page_title
from .frame import client_guard, esc, frame
from .widgets import FieldError

UPLOAD_ACCEPT = ('.pdf,.png,.jpg,.jpeg,.webp,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods,.xml,.txt,.csv,.ofx,.zip')
BADGE_CLASS = {'pendente': 'aberto', 'atrasado': 'vencido', 'devolvido': 'vencido', 'respondido': 'pago',
               'nada': 'pago', 'aceito': 'cancelado', 'fechado': 'cancelado'}
PORTAL_LABELS = {'respondido': 'Enviado', 'nada': 'Nada a enviar', 'aceito': 'Recebido', 'fechado': 'Encerrado'}


@ui.page('/portal/documentos')
def portal_docrequests_page(request: Request) -> None:
    actor = client_guard('Documentos')
    if actor is None:
        return
    with frame(actor, 'Documentos'):
        page_title('Documentos solicitados', 'portal-documentos')
        view = PortalDocuments(actor)
        if request.query_params.get('pedido'):
            view.open_from_url(request.query_params['pedido'][:40])


class PortalDocuments:
    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        ui.label('O escritório pede aqui os documentos de que precisa. Envie os arquivos até o prazo ou, se não '
                 'houver nada no mês, marque "Nada a enviar".').classes('text-body2 text-grey-8')
        self.region = ui.html('').classes('w-full').mark('portal-docrequests')
        self.show(docrequests.portal(actor))
        live.subscribe(docrequests.TOOL, actor, self.show, load=docrequests.portal, key=('portal-docrequests',))

    def show(self, view: PortalView) -> None:
        parts = ['<div class="text-h6 q-mt-md q-mb-sm">Pendentes</div>']
        if view.waiting:
            parts.append('<div class="conton-cards" data-list="pending">'
                         + ''.join(_card(r, pending=True) for r in view.waiting) + '</div>')
        else:
            parts.append('<p class="text-grey-7">Nenhum documento pendente. Obrigado!</p>')
        if view.answered:
            parts.append('<div class="text-h6 q-mt-lg q-mb-sm">Respondidos e encerrados</div><div class="conton-cards" '
                         'data-list="answered">' + ''.join(_card(r, pending=False) for r in view.answered) + '</div>')
        self.region.content = ''.join(parts)

    def open_from_url(self, request_id: str) -> None:
        try:
            detail = docrequests.get(self.actor, request_id)
        except NotFound:
            ui.label('Pedido não encontrado.').classes('text-negative').mark('missing-request') \
                .move(self.region.parent_slot.parent, target_index=2)
            return
        ui.timer(0.05, lambda: ui.navigate.history.replace('/portal/documentos') or self.answer(detail), once=True)

    @action
    async def answer(self, detail: DocRequestDetail) -> None:
        result = await answer_dialog(self.actor, detail)
        if result is not None:
            self.show(docrequests.portal(self.actor))


def _label(r: DocRequestRow) -> str:
    return r.status_label if r.waiting else PORTAL_LABELS.get(r.status, r.status_label)


def _card(r: DocRequestRow, *, pending: bool) -> str:
    """One request as a card (escaped); a waiting one links to its answer dialog."""
    status = listing.badge(BADGE_CLASS.get(r.badge, 'aberto'), _label(r))
    due = (f'<b class="late">Prazo: {esc(formatting.day(r.due_date))} (atrasado)</b>' if r.overdue
           else f'Prazo: <b>{esc(formatting.day(r.due_date))}</b>')
    lines = [f'<div class="line">{due}</div>']
    if r.description:
        lines.append(f'<div class="line">{esc(r.description)}</div>')
    if r.status == 'devolvido' and r.return_reason:
        lines.append(f'<div class="line err">O escritório devolveu: {esc(r.return_reason)}</div>')
    if r.template_file_id:
        lines.append(f'<div class="line">Modelo: <a href="{esc(docrequests.file_url(r.id, r.template_file_id))}" '
                     f'download>{esc(r.template_name)}</a></div>')
    if not pending and r.answered_at:
        what = (f'{r.file_count} arquivo{"s" if r.file_count != 1 else ""}' if r.file_count else 'nada a enviar')
        lines.append(f'<div class="line small">Respondido em {esc(formatting.when(r.answered_at))}: '
                     f'{esc(what)}</div>')
    if r.waiting:
        action_link = f'<div class="line"><a class="conton-act" href="{esc(r.portal_url)}"><b>Responder</b></a></div>'
    elif r.status == 'respondido':
        action_link = f'<div class="line"><a href="{esc(r.portal_url)}">Ver ou enviar mais arquivos</a></div>'
    else:
        action_link = ''
    return (f'<div class="card{" late" if r.overdue else ""}"><div class="top"><b>{esc(r.title)}</b>{status}</div>'
            f'{"".join(lines)}{action_link}</div>')


async def answer_dialog(actor: Actor, detail: DocRequestDetail):
    """Answer one request: files (uploaded first, with progress, then sent) or "nada a enviar"."""
    r = detail.request
    pending: list = []
    with ui.dialog() as dialog, ui.card().classes('w-full').style('max-width: 560px'):
        ui.label(r.title).classes('text-h6').mark('answer-title')
        ui.label(f'Prazo: {formatting.day(r.due_date)}' + (' (atrasado)' if r.overdue else '')) \
            .classes('text-negative' if r.overdue else 'text-grey-8').mark('answer-due')
        if r.description:
            ui.label(r.description).style('white-space:pre-wrap')
        if r.status == 'devolvido' and r.return_reason:
            ui.label(f'O escritório devolveu a resposta anterior: {r.return_reason}').classes('text-negative')
        if detail.files:
            items = ''.join(f'<li>{esc(f.name)} <span class="small">({esc(f.size_label)})</span></li>'
                            for f in detail.files)
            ui.html(f'<div class="conton-uploaded"><b>Já enviados:</b><ul>{items}</ul></div>').classes('w-full')
        can_files = r.status in docrequests.WAITING + ('respondido',)
        can_nothing = r.status in docrequests.WAITING
        form = Form()
        if not (can_files or can_nothing):
            ui.label('Este pedido não precisa de resposta: ' + _label(r).lower() + '.').classes('text-grey-8')
        if can_files:
            upload = file_upload(label='Escolher arquivos', multiple=True, auto_upload=True,
                                 max_file_size=files.max_file_bytes(), on_upload=lambda e: received(e),
                                 on_rejected=lambda: rejected()) \
                .props(f'flat bordered color=primary accept="{UPLOAD_ACCEPT}"').classes('w-full') \
                .mark('answer-upload')
            shown = ui.html('').classes('w-full').mark('answer-received')
            error = form.add('file', FieldError())
            limit = files.size_label(files.max_file_bytes())
            ui.label(f'Até {limit} por arquivo: PDF, imagens, documentos do Office, XML, TXT/CSV, OFX ou ZIP. Eles '
                     'ficam também nos seus Arquivos.') \
                .classes('text-caption text-grey-8')
        comment = form.add('comment', ui.textarea('Comentário (opcional)')
                           .props('outlined dense autogrow maxlength=1000').classes('w-full').mark('answer-comment')) \
            if (can_files or can_nothing) else None

        def received(e) -> None:
            pending.append(e.file)
            error.error = None
            names = ''.join(f'<li>{esc(u.name)} <span class="small">({esc(files.size_label(u.size()))})</span></li>'
                            for u in pending)
            shown.content = f'<div class="conton-uploaded"><b>Prontos para enviar:</b><ul>{names}</ul></div>'

        def rejected() -> None:
            error.error = f'Arquivo grande demais: o limite é {files.size_label(files.max_file_bytes())} por arquivo.'

        async def send_files() -> None:
            if not pending:
                error.error = 'Escolha pelo menos um arquivo (aguarde o envio terminar).'
                return
            result = await form.submit(lambda: docrequests.answer_files(actor, r.id, list(pending), comment.value))
            if result is None:
                if error.error:
                    pending.clear()
                    upload.reset()
                    shown.content = ''
                    error.error += ' Escolha os arquivos de novo.'
                return
            dialog.submit(('files', result))

        async def send_nothing() -> None:
            result = await form.submit(lambda: docrequests.answer_nothing(actor, r.id, comment.value))
            if result is not None:
                dialog.submit(('nada', result))

        with ui.row().classes('w-full items-center gap-2'):
            if can_nothing:
                ui.button('Nada a enviar este mês', icon='do_not_disturb_on', on_click=action(send_nothing)) \
                    .props('outline no-caps').mark('answer-nothing')
            ui.space()
            ui.button('Fechar', on_click=dialog.close).props('flat')
            if can_files:
                ui.button('Enviar arquivos', icon='send', on_click=action(send_files)) \
                    .props('unelevated no-caps').mark('answer-send')
    result = await dialog
    dialog.delete()
    if result is not None:
        kind, _ = result
        ui.notify('Arquivos enviados ao escritório. Obrigado!' if kind == 'files'
                  else 'Resposta registrada: nada a enviar este mês.', type='positive')
    return result
