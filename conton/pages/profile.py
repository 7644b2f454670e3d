"""Meu perfil: who I am, how I want to be told of each kind of notification, and change my password (which ends my
other sessions)."""
from __future__ import annotations

from nicegui import run, ui

from ..services import auth, channels, notifications
from ..services.permissions import Actor
from ..services.errors import ValidationError
from .common import Form, action, login_session, page_title
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
        notification_card(actor)
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

            @action  # an ended session (disabled, logged out elsewhere) goes to the login page, not a silent error
            async def submit() -> None:
                if new.value != confirm.value:
                    form.show(ValidationError('As senhas não conferem.', 'confirm'))
                    return
                fresh = await form.submit(lambda: run.io_bound(auth.change_password, actor, current.value, new.value))
                if fresh is not None:  # this browser stays in, under a new session id (see login_session)
                    login_session(fresh, '/perfil?aviso=senha-alterada')

            ui.button('Salvar nova senha', on_click=submit).props('unelevated')


def notification_card(actor: Actor) -> None:
    """One choice per category this login can receive: the office's default, or Painel (sino), E-mail, Ambos,
    Nenhum. The notification is always kept in the panel's list; the choice says whether it pops up and whether an
    e-mail goes out."""
    mine = channels.preferences(actor)
    if not mine:
        return
    office_default = channels.defaults(actor)
    with ui.card().classes('w-full').style('max-width: 560px').props('id=avisos').mark('channels'):
        ui.label('Como ser avisado').classes('text-h6')
        ui.label('Escolha, para cada tipo de aviso, se quer vê-lo no painel (o sino, no alto da página), por e-mail, '
                 'dos dois jeitos ou de nenhum. Todo aviso fica guardado na lista do painel.') \
            .classes('text-sm text-grey-7')
        form = Form()
        with ui.grid().classes('w-full gap-x-4 gap-y-1 grid-cols-1 sm:grid-cols-2'):
            for category, chosen in mine.items():
                standard = channels.CHANNEL_LABELS[office_default.get(category, channels.FALLBACK)]
                options = {'': f'Padrão do escritório ({standard})'} | channels.CHANNEL_LABELS
                form.add(category, ui.select(options, label=notifications.CATEGORY_LABELS[category], value=chosen)
                         .classes('w-full').mark(f'channel-{category}'))

        @action
        async def save() -> None:
            done = await form.submit(lambda: channels.set_preferences(actor, form.values()))
            if done is not None:
                ui.notify('Preferências de aviso salvas.', type='positive')

        ui.button('Salvar preferências', icon='save', on_click=save).props('unelevated no-caps')
