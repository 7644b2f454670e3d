"""Funcionários (admin only): the office's logins, each with a permission per tool (sem acesso / ver / editar);
create (welcome e-mail with a set-password link), edit, make administrator, disable/enable, re-send the welcome."""
from __future__ import annotations

from nicegui import ui

from .. import formatting
from ..models import User
from ..services import users
from ..services.errors import NotFound
from ..services.permissions import GRANTABLE, LEVEL_LABELS, Actor, grouped
from .common import Form, action, not_found, page_title
from .frame import esc, frame, guard

ROLE_LABELS = {'admin': 'Administrador', 'staff': 'Funcionário'}


# --- list --------------------------------------------------------------------------------------------------------

@ui.page('/funcionarios')
def staff_page() -> None:
    actor = guard('staff', title='Funcionários')
    if actor is None:
        return
    with frame(actor, 'Funcionários'):
        page_title('Funcionários', 'funcionarios')
        with ui.row().classes('w-full items-center gap-2 q-mb-sm'):
            ui.label('Quem do escritório entra no portal e o que cada um pode ver ou editar.') \
                .classes('text-grey-8 col-grow')
            ui.button('Novo funcionário', icon='person_add', on_click=lambda: ui.navigate.to('/funcionarios/novo')) \
                .props('unelevated no-caps')
        people = users.list_staff(actor)
        ui.html(table_html(people, actor)).classes('w-full').mark('staff-table')
        ui.label(f'{len(people)} acesso{"s" if len(people) != 1 else ""}').classes('text-grey-7 text-sm q-mt-sm')


def status_tag(user: User) -> str:
    if not user.active:
        return '<span class="conton-tag off">Desativado</span>'
    if not user.password_hash:
        return '<span class="conton-tag wait">Aguardando definir a senha</span>'
    return '<span class="conton-tag on">Ativo</span>'


def permissions_text(user: User) -> str:
    if user.role == 'admin':
        return 'Todas as ferramentas, inclusive Funcionários'
    perms = user.permissions or {}
    parts = [f'{t.label}: {LEVEL_LABELS[perms[t.key]]}' for t in GRANTABLE if perms.get(t.key) in ('read', 'write')]
    return ', '.join(parts) or 'Nenhuma ferramenta'


def table_html(people: list[User], actor: Actor) -> str:
    """A table on larger screens, cards on a phone (both escaped HTML, cheap to render)."""
    head = ('<thead><tr><th>Nome</th><th>Perfil</th><th>Permissões</th><th>Situação</th><th>Último acesso</th>'
            '</tr></thead>')
    body, cards = [], []
    for u in people:
        name = f'<a href="/funcionarios/{u.id}">{esc(u.name)}</a>'
        me = ' <span class="small">(você)</span>' if u.id == actor.user_id else ''
        role = f'<span class="conton-tag {"admin" if u.role == "admin" else "off"}">{esc(ROLE_LABELS[u.role])}</span>'
        seen = (esc(formatting.when(u.last_login_at)) if u.last_login_at
                else '<span class="small">Ainda não entrou</span>')
        perms = esc(permissions_text(u))
        body.append(f'<tr><td>{name}{me}<div class="small">{esc(u.email)}</div></td><td>{role}</td>'
                    f'<td class="perms">{perms}</td><td>{status_tag(u)}</td><td>{seen}</td></tr>')
        last = f'Último acesso em {esc(formatting.when(u.last_login_at))}' if u.last_login_at else 'Ainda não entrou'
        cards.append(f'<div class="card"><div class="top"><div>{name}{me}<div class="small">{esc(u.email)}</div></div>'
                     f'{role}</div><div class="line">{perms}</div><div class="top" style="margin-top:6px">'
                     f'<span class="small">{last}</span>{status_tag(u)}</div></div>')
    return (f'<div class="gt-xs conton-table"><table class="conton-list staff">{head}'
            f'<tbody>{"".join(body)}</tbody></table>'
            f'</div><div class="xs conton-cards">{"".join(cards)}</div>')


# --- create and edit ---------------------------------------------------------------------------------------------

class StaffForm:
    """Name, e-mail, administrator switch and the permission grid (one toggle per grantable tool)."""

    def __init__(self, user: User | None, *, is_me: bool = False) -> None:
        self.form = Form()
        with ui.grid().classes('w-full gap-x-4 gap-y-0 grid-cols-1 sm:grid-cols-2'):
            self.name = self.form.add('name', ui.input('Nome', value=user.name if user else '')
                                      .props('autocomplete=off').classes('w-full').mark('name'))
            self.email = self.form.add('email', ui.input('E-mail (login)', value=user.email if user else '')
                                       .props('type=email autocomplete=off').classes('w-full').mark('email'))
        self.admin = ui.switch('Administrador (acesso a tudo, inclusive Funcionários)',
                               value=bool(user and user.role == 'admin')).mark('admin-switch')
        if is_me and user and user.role == 'admin':
            ui.label('Se você deixar de ser administrador, precisará entrar de novo.').classes('text-sm text-grey-7')
        self.grid = ui.column().classes('w-full gap-0 conton-perms')
        perms = (user.permissions or {}) if user else {}
        self.toggles: dict[str, ui.toggle] = {}
        with self.grid:
            with ui.row().classes('w-full items-center gap-x-2 gap-y-0 q-mt-sm'):
                ui.label('Permissões por ferramenta').classes('text-subtitle1 text-weight-medium col-grow')
                with ui.row().classes('items-center no-wrap gap-1'):
                    ui.label('Todas:').classes('text-sm text-grey-7')
                    for level, label in LEVEL_LABELS.items():
                        ui.button(label, on_click=lambda level=level: self.set_all(level)) \
                            .props('flat dense no-caps color=primary').mark(f'all-{level}')
            for group, tools in grouped(GRANTABLE):
                ui.html(f'<div class="group">{esc(group or "Geral")}</div>')
                for tool in tools:
                    with ui.element('div').classes('line'):
                        with ui.element('div').classes('tool'):
                            ui.icon(tool.icon)
                            ui.label(tool.label)
                        self.toggles[tool.key] = ui.toggle(
                            dict(LEVEL_LABELS), value=perms.get(tool.key, 'none')) \
                            .props('no-caps unelevated toggle-color=primary color=grey-3 text-color=grey-9 '
                                   f'padding="4px 14px" aria-label="{esc(tool.label)}"').mark(f'perm-{tool.key}')
        self.admin_note = ui.label('Administradores usam todas as ferramentas; as permissões acima não se aplicam.') \
            .classes('text-sm text-grey-7 q-mt-sm')
        self.admin.on_value_change(self.role_changed)
        self.role_changed()

    def set_all(self, level: str) -> None:
        for toggle in self.toggles.values():
            toggle.value = level

    def role_changed(self) -> None:
        self.grid.set_visibility(not self.admin.value)
        self.admin_note.set_visibility(bool(self.admin.value))

    def values(self) -> dict:
        return {'name': self.name.value or '', 'email': self.email.value or '', 'admin': bool(self.admin.value),
                'permissions': {key: toggle.value or 'none' for key, toggle in self.toggles.items()}}


@ui.page('/funcionarios/novo')
def new_staff_page() -> None:
    actor = guard('staff', title='Novo funcionário')
    if actor is None:
        return
    with frame(actor, 'Novo funcionário'):
        ui.link('← Funcionários', '/funcionarios').classes('text-sm')
        page_title('Novo funcionário', 'funcionarios')
        with ui.card().classes('w-full').style('max-width: 860px'):
            ui.label('A pessoa recebe um e-mail de boas-vindas com o login e um link para definir a senha (válido por '
                     '72 horas). Nenhuma senha é enviada por e-mail.').classes('text-sm text-grey-8')
            form = StaffForm(None)

            @action
            async def save() -> None:
                created = await form.form.submit(lambda: users.create_staff(actor, **form.values()))
                if created is not None:
                    ui.navigate.to(f'/funcionarios/{created.id}?aviso=novo')

            with ui.row().classes('q-mt-md gap-2'):
                ui.button('Cadastrar e enviar convite', icon='save', on_click=save).props('unelevated no-caps')
                ui.button('Cancelar', on_click=lambda: ui.navigate.to('/funcionarios')).props('flat no-caps')


@ui.page('/funcionarios/{user_id}')
def edit_staff_page(user_id: str, aviso: str = '') -> None:
    actor = guard('staff', title='Funcionário')
    if actor is None:
        return
    try:
        person = users.get_staff(actor, user_id)
    except NotFound:
        with frame(actor, 'Funcionário'):
            not_found()
        return
    is_me = person.id == actor.user_id
    with frame(actor, person.name):
        ui.link('← Funcionários', '/funcionarios').classes('text-sm')
        page_title(person.name, 'funcionarios')
        with ui.row().classes('w-full items-center gap-2 q-mb-sm'):
            ui.html(status_tag(person) + ' ' + (f'<span class="conton-tag admin">{ROLE_LABELS["admin"]}</span>'
                                                 if person.role == 'admin' else ''))
            ui.label(f'Último acesso em {formatting.when(person.last_login_at)}' if person.last_login_at
                     else 'Ainda não entrou').classes('text-sm text-grey-7')
            ui.space()
            if person.active:
                ui.button('Enviar novo link para definir a senha', icon='forward_to_inbox',
                          on_click=lambda: confirm_new_link(actor, person)).props('flat no-caps color=primary') \
                    .mark('new-link')
                if not is_me:
                    ui.button('Desativar', icon='block', on_click=lambda: confirm_disable(actor, person)) \
                        .props('flat no-caps color=grey-8')
            else:
                ui.button('Reativar', icon='check_circle', on_click=lambda: enable(actor, person)) \
                    .props('flat no-caps color=positive')

        if aviso == 'novo':
            hint(f'Funcionário cadastrado. Um e-mail de boas-vindas foi posto na fila para {person.email}; acompanhe '
                 'em Configurações › E-mails.')
        if not person.active:
            hint('Acesso desativado: esta pessoa não consegue entrar. Reative para que volte a usar o portal.',
                 'grey-8')

        with ui.card().classes('w-full').style('max-width: 860px'):
            form = StaffForm(person, is_me=is_me)

            @action
            async def save() -> None:
                updated = await form.form.submit(lambda: users.update_staff(actor, person.id, **form.values()))
                if updated is None:
                    return
                ui.notify('Alterações salvas.', type='positive')
                if is_me and updated.role != 'admin':
                    ui.navigate.to('/login')
                else:
                    ui.navigate.to(f'/funcionarios/{person.id}')

            ui.button('Salvar alterações', icon='save', on_click=save).props('unelevated no-caps').classes('q-mt-md')


def hint(text: str, color: str = 'primary') -> None:
    with ui.row().classes(f'w-full items-start no-wrap gap-2 q-pa-sm rounded-borders bg-blue-1 text-{color} q-mb-sm'):
        ui.icon('info', size='sm')
        ui.label(text)


def confirm_new_link(actor: Actor, person: User) -> None:
    """Say what the button does before doing it: a new link, the old one ends, the password stays until changed."""
    with ui.dialog() as dialog, ui.card().style('max-width: 480px'):
        ui.label('Enviar novo link para definir a senha?').classes('text-h6')
        ui.label(f'{person.email} recebe um e-mail com um novo link para definir a senha (válido por 72 horas). O '
                 'link enviado antes deixa de funcionar; a senha atual, se houver, continua valendo até a pessoa '
                 'definir outra.').classes('text-grey-8')

        async def confirm() -> None:
            dialog.close()
            await resend(actor, person)  # an @action: its errors become messages

        with ui.row().classes('w-full justify-end gap-2'):
            ui.button('Cancelar', on_click=dialog.close).props('flat no-caps')
            ui.button('Enviar novo link', on_click=confirm).props('unelevated no-caps').mark('confirm-new-link')
    dialog.open()


@action
def resend(actor: Actor, person: User) -> None:
    users.resend_welcome(actor, person.id)
    ui.notify(f'Novo link para definir a senha enviado para {person.email}; o anterior deixou de valer.',
              type='positive')


@action
def enable(actor: Actor, person: User) -> None:
    users.set_active(actor, person.id, True)
    ui.notify('Acesso reativado.', type='positive')
    ui.navigate.to(f'/funcionarios/{person.id}')


def confirm_disable(actor: Actor, person: User) -> None:
    with ui.dialog() as dialog, ui.card().style('max-width: 480px'):
        ui.label(f'Desativar {person.name}?').classes('text-h6')
        ui.label('A pessoa deixa de entrar no portal, e as páginas que ela tiver abertas perdem o acesso na próxima '
                 'ação. Nada é apagado: você pode reativá-la depois.').classes('text-grey-8')

        @action
        def confirm() -> None:
            dialog.close()
            users.set_active(actor, person.id, False)
            ui.notify('Acesso desativado.', type='positive')
            ui.navigate.to(f'/funcionarios/{person.id}')

        with ui.row().classes('w-full justify-end gap-2'):
            ui.button('Cancelar', on_click=dialog.close).props('flat no-caps')
            ui.button('Desativar acesso', on_click=confirm).props('unelevated no-caps color=negative')
    dialog.open()
