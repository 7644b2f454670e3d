"""Meu perfil: who I am, and change my password (which ends my other sessions)."""
from __future__ import annotations

from nicegui import run, ui

from ..services import auth
from ..services.errors import ValidationError
from .common import Form, login_session, page_title
from .frame import frame, guard

ROLE_LABELS = {'admin': 'Administrador', 'staff': 'Funcionário', 'client': 'Cliente'}


@ui.page('/perfil')
def profile_page(aviso: str = '') -> None:
    actor = guard()
    if actor is None:
        return
    if aviso == 'senha-alterada':
        ui.notify('Senha alterada.', type='positive')
    with frame(actor, 'Meu perfil'):
        page_title('Meu perfil', 'perfil')
        with ui.card().classes('w-full').style('max-width: 560px'):
            ui.label(actor.name).classes('text-h6')
            ui.label(f'E-mail (login): {actor.email}')
            ui.label(f'Perfil: {ROLE_LABELS[actor.role]}')
        with ui.card().classes('w-full').style('max-width: 560px').props('id=senha'):
            ui.label('Trocar senha').classes('text-h6')
            ui.label('Ao trocar a senha, os outros acessos abertos com este login são encerrados.') \
                .classes('text-sm text-grey-7')
            form = Form()
            current = form.add('current', ui.input('Senha atual', password=True).props('autocomplete=current-password')
                               .classes('w-full'))
            new = form.add('new', ui.input('Nova senha (mínimo 8 caracteres)', password=True,
                                           password_toggle_button=True).props('autocomplete=new-password')
                           .classes('w-full'))
            confirm = form.add('confirm', ui.input('Repita a nova senha', password=True)
                               .props('autocomplete=new-password').classes('w-full'))

            async def submit() -> None:
                if new.value != confirm.value:
                    form.show(ValidationError('As senhas não conferem.', 'confirm'))
                    return
                fresh = await form.submit(lambda: run.io_bound(auth.change_password, actor, current.value, new.value))
                if fresh is not None:  # this browser stays in, under a new session id (see login_session)
                    login_session(fresh, '/perfil?aviso=senha-alterada')

            ui.button('Salvar nova senha', on_click=submit).props('unelevated')
