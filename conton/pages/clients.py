"""Clientes: the list (search, situação filter, server-side pages), create and edit, Acessos (portal logins),
deactivate and delete, the office's test client, and the printable record (ficha)."""
from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from nicegui import ui

from .. import formatting
from ..models import Client, User
from ..services import clients, live, users, validation
from ..services.errors import NotFound, ValidationError
from ..services.permissions import Actor
from . import listing
from .common import Form, action, not_found, page_title, pager
from .frame import esc, frame, guard
from .widgets import client_facts_html

STATUS_OPTIONS = {'ativos': 'Ativos', 'inativos': 'Inativos', 'todos': 'Todos'}
KIND_OPTIONS = {'PJ': 'Pessoa Jurídica', 'PF': 'Pessoa Física'}
UF_OPTIONS = {'': '—'} | {uf: uf for uf in validation.UFS}
DAY_OPTIONS = list(range(1, 32))
PER_PAGE = 20


# --- list --------------------------------------------------------------------------------------------------------

@ui.page('/clientes')
def clients_page(q: str = '', situacao: str = 'ativos', pagina: str = '1', aviso: str = '') -> None:
    actor = guard('clients', title='Clientes')
    if actor is None:
        return
    state = {'q': q[:100], 'status': situacao if situacao in STATUS_OPTIONS else 'ativos',
             'page': listing.page_number(pagina)}
    can_write = actor.can('clients', 'write')
    with frame(actor, 'Clientes'):
        page_title('Clientes', 'clientes')
        if aviso == 'excluido':
            hint('Cliente excluído.')

        with ui.row().classes('w-full items-center gap-2 q-mb-sm'):
            search = ui.input(placeholder='Buscar por nome, CPF/CNPJ ou e-mail', value=state['q']) \
                .props('outlined dense clearable debounce=350 aria-label=Buscar').classes('w-full sm:w-72')
            with search.add_slot('prepend'):
                ui.icon('search')
            status = ui.toggle(STATUS_OPTIONS, value=state['status']).props('no-caps unelevated toggle-color=primary '
                                                                          'color=grey-3 text-color=grey-9')
            ui.space()
            if can_write:
                ui.button('Cliente de teste', icon='science', on_click=lambda: create_test_client(actor)) \
                    .props('flat no-caps color=primary').tooltip('Criar cliente de teste com os dados do escritório')
                ui.button('Novo cliente', icon='add', on_click=lambda: ui.navigate.to('/clientes/novo')) \
                    .props('unelevated no-caps color=primary')

        @ui.refreshable
        def results() -> None:
            found = state.pop('found', None) or clients.search(actor, state['q'], state['status'], state['page'],
                                                               PER_PAGE)
            state['page'] = found.page
            if not found.rows:
                empty_state(state, can_write)
                return
            ui.html(table_html(found.rows)).classes('conton-table').mark('clients-table')
            pager(found.total, found.page, PER_PAGE, go_to)

        def remember() -> None:
            """Keep search, filter and page in the address, so going back from a client returns to the same list."""
            params: dict = {}
            if state['q']:
                params['q'] = state['q']
            if state['status'] != 'ativos':
                params['situacao'] = state['status']
            if state['page'] > 1:
                params['pagina'] = state['page']
            ui.navigate.history.replace('/clientes' + (f'?{urlencode(params)}' if params else ''))

        @action
        async def filter_changed() -> None:
            state['q'] = (search.value or '')[:100]
            state['status'] = status.value or 'ativos'
            state['page'] = 1
            remember()
            await results.refresh()

        @action
        async def go_to(page: int) -> None:
            state['page'] = listing.page_number(page)
            remember()  # before the refresh deletes the pager this handler runs in
            await results.refresh()

        search.on_value_change(filter_changed)
        status.on_value_change(filter_changed)
        results()

        def changed(found: clients.ClientPage) -> None:
            state['found'] = found
            results.refresh()
        # live: another user's change re-renders the list (read once for all tabs showing the same search and page)
        live.subscribe('clients', actor, changed,
                       load=lambda a: clients.search(a, state['q'], state['status'], state['page'], PER_PAGE),
                       key=lambda: ('clients', state['q'], state['status'], state['page']))


def empty_state(state: dict, can_write: bool) -> None:
    with ui.column().classes('w-full items-center q-pa-xl gap-2 text-center'):
        ui.icon('groups', size='xl', color='grey-5')
        if state['q']:
            ui.label(f'Nenhum cliente encontrado para “{state["q"]}”.').classes('text-subtitle1')
            ui.label('Confira a grafia ou busque por parte do nome, do CPF/CNPJ ou do e-mail.').classes('text-grey-7')
        elif state['status'] == 'inativos':
            ui.label('Nenhum cliente inativo.').classes('text-subtitle1')
        else:
            ui.label('Nenhum cliente cadastrado ainda.').classes('text-subtitle1')
            if can_write:
                ui.label('Cadastre o primeiro cliente, ou crie um cliente de teste com os dados do escritório para '
                         'conhecer o portal do cliente.').classes('text-grey-7')
                ui.button('Cadastrar cliente', icon='add', on_click=lambda: ui.navigate.to('/clientes/novo')) \
                    .props('unelevated no-caps')


COLUMNS = (listing.Column('Nome', 'wrap first', labelled=False), listing.Column('CPF/CNPJ', 'nw'),
           listing.Column('Regime'),
           listing.Column('Honorários', 'num'), listing.Column('Vencimento', 'num'),
           listing.Column('Situação', 'st', labelled=False))


def table_html(rows: list[Client]) -> str:
    """The page of clients as one escaped HTML table (listing.table_html: cards on a phone)."""
    return listing.table_html(COLUMNS, ([
        f'<a class="open" href="/clientes/{c.id}">{esc(c.name)}</a>'
        + ('<span class="conton-tag test">Teste</span>' if c.is_test else '')
        + (f'<div class="small">{esc(c.trade_name)}</div>' if c.trade_name and c.trade_name != c.name else ''),
        esc(formatting.document(c.document)), esc(c.tax_regime), esc(formatting.money(c.fee_cents)),
        f'dia {c.due_day}',
        '<span class="conton-tag on">Ativo</span>' if c.active else '<span class="conton-tag off">Inativo</span>',
    ] for c in rows))


@action
def create_test_client(actor: Actor) -> None:
    client, created = clients.create_test_client(actor)
    if not created:
        ui.notify('O cliente de teste (com o CNPJ do escritório) já existe.', type='info')
    ui.navigate.to(f'/clientes/{client.id}' + ('?aviso=teste' if created else ''))


# --- create and edit ---------------------------------------------------------------------------------------------

@ui.page('/clientes/novo')
def new_client_page() -> None:
    actor = guard('clients', 'write', title='Novo cliente')
    if actor is None:
        return
    with frame(actor, 'Novo cliente'):
        ui.link('← Clientes', '/clientes').classes('text-sm')
        page_title('Novo cliente', 'clientes')
        with ui.card().classes('w-full'):
            form = client_form(None, clients.responsible_options(actor))

            @action
            async def save() -> None:
                created = await form.submit(lambda: clients.create(actor, **form.values()))
                if created is not None:
                    ui.navigate.to(f'/clientes/{created.id}?aviso=novo')

            with ui.row().classes('gap-2'):
                ui.button('Cadastrar cliente', icon='save', on_click=save).props('unelevated no-caps')
                ui.button('Cancelar', on_click=lambda: ui.navigate.to('/clientes')).props('flat no-caps')


@ui.page('/clientes/{client_id}')
def client_page(client_id: str, aviso: str = '') -> None:
    actor = guard('clients', title='Cliente')
    if actor is None:
        return
    try:
        client = clients.get(actor, client_id)
    except NotFound:
        with frame(actor, 'Cliente'):
            not_found()
        return
    can_write = actor.can('clients', 'write')
    chief = clients.responsible(actor, client.id)
    with frame(actor, client.name):
        ui.link('← Clientes', '/clientes').classes('text-sm')
        page_title(client.name, 'clientes')
        with ui.row().classes('w-full items-center gap-2 q-mb-sm'):
            ui.html(('<span class="conton-tag on">Ativo</span>' if client.active
                     else '<span class="conton-tag off">Inativo</span>')
                    + ('<span class="conton-tag test">Cliente de teste</span>' if client.is_test else ''))
            ui.label(formatting.document(client.document)).classes('text-grey-8')
            ui.label('Responsável: ' + (f'{chief.name}{"" if chief.active else " (inativo)"}' if chief else
                                        'nenhum (avisa toda a equipe)')).classes('text-grey-8').mark('responsible')
            ui.space()
            with ui.row().classes('gap-1 no-wrap'):
                ui.button('Ficha', icon='print', on_click=lambda: ui.navigate.to(f'/clientes/{client.id}/ficha')) \
                    .props('flat dense no-caps color=primary').classes('q-px-sm')
                if can_write:
                    if client.active:
                        ui.button('Desativar', icon='block', on_click=lambda: confirm_deactivate(actor, client)) \
                            .props('flat dense no-caps color=grey-8').classes('q-px-sm')
                    else:
                        ui.button('Reativar', icon='check_circle', on_click=lambda: reactivate(actor, client)) \
                            .props('flat dense no-caps color=positive').classes('q-px-sm')
                    ui.button('Excluir', icon='delete', on_click=lambda: confirm_delete(actor, client)) \
                        .props('flat dense no-caps color=negative').classes('q-px-sm')

        related_links(actor, client)
        login_hint = None  # asks for the first login: shown only while the client has none (logins_section says)
        if aviso == 'novo':
            login_hint = hint('Cliente cadastrado. Agora crie em Acessos o login do cliente no portal: ele recebe um '
                              'e-mail de boas-vindas com o link para definir a senha.')
        elif aviso == 'teste':
            login_hint = hint('Este é o cliente de teste, com os dados do escritório. Adicione um acesso com um '
                              'e-mail seu (diferente do seu login) e entre com ele para ver o portal como os seus '
                              'clientes o veem.')
        elif aviso == 'reativado':
            hint('Cliente reativado. Os acessos dele continuam desativados: reative abaixo, em Acessos, os que devem '
                 'voltar a entrar no portal.')
        if not client.active:
            hint('Cliente inativo: os acessos dele ao portal foram desativados.', 'grey-7')

        if can_write:
            with ui.card().classes('w-full'):
                form = client_form(client, clients.responsible_options(actor, include=chief.user_id if chief else None),
                                   chief.user_id if chief else None)

                @action
                async def save() -> None:
                    updated = await form.submit(lambda: clients.update(actor, client.id, **form.values()))
                    if updated is not None:
                        ui.notify('Alterações salvas.', type='positive')

                ui.button('Salvar alterações', icon='save', on_click=save).props('unelevated no-caps')
        else:
            with ui.card().classes('w-full'):
                ui.html(client_facts_html(client, internal=True)).classes('w-full')

        logins_section(actor, client, can_write,
                       on_count=lambda n: login_hint.set_visibility(n == 0) if login_hint is not None else None)


def hint(text: str, color: str = 'primary') -> ui.row:
    with ui.row().classes(f'w-full items-start no-wrap gap-2 q-pa-sm rounded-borders bg-blue-1 text-{color} q-mb-sm') \
            as row:
        ui.icon('info', size='sm')
        ui.label(text)
    return row


# What else the office keeps about one client, each a list filtered by it: (tool, label, icon, URL of the client).
# Agenda, Arquivos and Solicitações add their line here when they come (their list's GET filter by client).
RELATED: tuple[tuple[str, str, str, Callable[[Client], str]], ...] = (
    ('receivables', 'Cobranças deste cliente', 'request_quote',
     lambda c: listing.url('/recebimentos', {'cliente': formatting.document(c.document)})),
    ('agenda', 'Obrigações deste cliente', 'event_note', lambda c: f'/agenda/obrigacoes/cliente/{c.id}'),
    ('servicelog', 'Histórico', 'history', lambda c: f'/clientes/{c.id}/historico'),
    ('files', 'Arquivos', 'folder', lambda c: listing.url('/arquivos', {'cliente': str(c.id)})),
    ('protocols', 'Protocolos', 'assignment_turned_in', lambda c: listing.url('/protocolos', {'cliente': str(c.id)})),
    ('requests', 'Solicitações', 'forum', lambda c: listing.url('/solicitacoes', {'cliente': c.name, 'status': 'todas'})),
    ('docrequests', 'Pedidos de documentos', 'upload_file',
     lambda c: listing.url('/pedidos-documentos', {'cliente': str(c.id)})),
)


def related_links(actor: Actor, client: Client) -> None:
    """Links to this client's records in the other tools the actor may open."""
    shown = [(tool, label, icon, link(client)) for tool, label, icon, link in RELATED if actor.can(tool)]
    if not shown:
        return
    with ui.row().classes('w-full items-center gap-x-4 gap-y-1 q-mb-sm').mark('client-links'):
        for tool, label, icon, target in shown:
            with ui.link(target=target).classes('row items-center no-wrap gap-1 text-primary text-weight-medium') \
                    .style('text-decoration:none').mark(f'related-{tool}'):
                ui.icon(icon, size='xs')
                ui.label(label)


def client_form(client: Client | None, staff: dict[str, str], responsible=None) -> Form:
    """The client's fields, grouped; names match the service's field names. `staff`: the choices of Responsável."""
    c = client or Client(kind='PJ', document='', name='', due_day=10)
    form = Form()
    person = c.kind == 'PF'

    def section(title: str):
        ui.label(title).classes('conton-section')
        return ui.grid().classes('w-full gap-x-4 gap-y-0 grid-cols-1 sm:grid-cols-2 md:grid-cols-4')

    with section('Identificação'):
        with ui.element('div').classes('sm:col-span-2 flex items-center q-py-sm'):
            kind = form.add('kind', ui.toggle(KIND_OPTIONS, value=c.kind)
                            .props('no-caps unelevated toggle-color=primary color=grey-3 text-color=grey-9'))
        document = form.add('document', ui.input('CPF' if person else 'CNPJ', value=formatting.document(c.document))
                            .props(f'mask="{_doc_mask(c.kind)}" inputmode=text autocomplete=off').classes('w-full'))
        form.add('tax_regime', ui.select(list(clients.REGIMES), label='Regime tributário',
                                         value=c.tax_regime or None).classes('w-full'))
        name = form.add('name', ui.input('Nome completo' if person else 'Razão social', value=c.name)
                        .classes('w-full sm:col-span-2'))
        trade = form.add('trade_name', ui.input('Nome fantasia', value=c.trade_name).classes('w-full sm:col-span-2'))
        trade.set_visibility(not person)

    def kind_changed() -> None:
        pf = kind.value == 'PF'
        document.props['label'] = 'CPF' if pf else 'CNPJ'
        document.props(f'mask="{_doc_mask(kind.value)}"')
        name.props['label'] = 'Nome completo' if pf else 'Razão social'
        trade.set_visibility(not pf)
        document.update()
        name.update()
        regime = form.fields['tax_regime']
        if pf and not regime.value:
            regime.value = 'Pessoa Física'

    kind.on_value_change(kind_changed)

    with section('Contato'):
        form.add('email', ui.input('E-mail', value=c.email).props('type=email').classes('w-full md:col-span-2'))
        form.add('phone', ui.input('Telefone', value=formatting.phone(c.phone)).props('type=tel').classes('w-full'))
        form.add('phone2', ui.input('Outro telefone', value=formatting.phone(c.phone2)).props('type=tel')
                 .classes('w-full'))

    with section('Endereço'):
        form.add('cep', ui.input('CEP', value=formatting.cep(c.cep)).props('mask="#####-###" inputmode=numeric')
                 .classes('w-full'))
        form.add('street', ui.input('Logradouro', value=c.street).classes('w-full md:col-span-2'))
        form.add('number', ui.input('Número', value=c.number).classes('w-full'))
        form.add('complement', ui.input('Complemento', value=c.complement).classes('w-full'))
        form.add('district', ui.input('Bairro', value=c.district).classes('w-full'))
        form.add('city', ui.input('Cidade', value=c.city).classes('w-full'))
        form.add('uf', ui.select(UF_OPTIONS, label='UF', value=c.uf or '').classes('w-full'))

    with section('Honorários'):
        fee = formatting.cents_to_input(c.fee_cents) if client is not None else ''
        form.add('fee', ui.input('Honorários mensais (R$)', value=fee, placeholder='0,00')
                 .props('inputmode=decimal').classes('w-full'))
        form.add('due_day', ui.select(DAY_OPTIONS, label='Dia de vencimento', value=c.due_day).classes('w-full'))

    with section('Atendimento'):
        form.add('responsible_id', ui.select({'': 'Nenhum (avisa toda a equipe)'} | staff, label='Responsável',
                                             value=str(responsible) if responsible else '')
                 .props('hint="Recebe os avisos dos arquivos enviados pelo cliente e dos protocolos não abertos"')
                 .classes('w-full md:col-span-2').mark('responsible-select'))

    ui.label('Observações').classes('conton-section')
    form.add('notes', ui.textarea('Observações internas (o cliente não vê)', value=c.notes)
             .props('autogrow').classes('w-full'))
    return form


def _doc_mask(kind: str) -> str:
    return '###.###.###-##' if kind == 'PF' else 'XX.XXX.XXX/XXXX-##'  # X: letter or digit, upper-cased


# --- deactivate, reactivate, delete ------------------------------------------------------------------------------

def confirm_deactivate(actor: Actor, client: Client) -> None:
    with ui.dialog() as dialog, ui.card().style('max-width: 480px'):
        ui.label(f'Desativar {client.name}?').classes('text-h6')
        ui.label('O cliente deixa de aparecer na lista de ativos e todos os acessos dele ao portal são desativados '
                 'na hora. Nada é apagado: você pode reativá-lo depois.').classes('text-grey-8')

        @action
        def confirm() -> None:
            clients.set_active(actor, client.id, False)
            dialog.close()
            ui.navigate.to(f'/clientes/{client.id}')

        with ui.row().classes('w-full justify-end gap-2'):
            ui.button('Cancelar', on_click=dialog.close).props('flat no-caps')
            ui.button('Desativar cliente', on_click=confirm).props('unelevated no-caps color=negative')
    dialog.open()


@action
def reactivate(actor: Actor, client: Client) -> None:
    clients.set_active(actor, client.id, True)
    ui.navigate.to(f'/clientes/{client.id}?aviso=reativado')


def confirm_delete(actor: Actor, client: Client) -> None:
    with ui.dialog() as dialog, ui.card().style('max-width: 520px'):
        ui.label(f'Excluir {client.name}?').classes('text-h6')
        ui.label('A exclusão é definitiva. Só é possível excluir um cliente sem acessos, cobranças ou outros '
                 'registros.').classes('text-grey-8')
        refused = ui.label('').classes('text-negative')
        refused.set_visibility(False)

        @action
        def confirm() -> None:
            try:
                clients.delete(actor, client.id)
            except ValidationError as e:
                refused.text = str(e)
                refused.set_visibility(True)
                remove.set_visibility(False)
                deactivate.set_visibility(client.active)
                return
            dialog.close()
            ui.navigate.to('/clientes?aviso=excluido')

        def instead() -> None:
            dialog.close()
            confirm_deactivate(actor, client)

        with ui.row().classes('w-full justify-end gap-2'):
            ui.button('Cancelar', on_click=dialog.close).props('flat no-caps')
            deactivate = ui.button('Desativar em vez disso', on_click=instead).props('unelevated no-caps')
            deactivate.set_visibility(False)
            remove = ui.button('Excluir', on_click=confirm).props('unelevated no-caps color=negative') \
                .mark('confirm-delete')
    dialog.open()


# --- Acessos (portal logins) -------------------------------------------------------------------------------------

def logins_section(actor: Actor, client: Client, can_write: bool,
                   on_count: Callable[[int], None] | None = None) -> None:
    """The client's portal logins; `on_count(n)` hears how many there are at every (re)render."""
    with ui.card().classes('w-full q-mt-md'):
        with ui.row().classes('w-full items-center'):
            ui.label('Acessos ao portal').classes('text-h6')
            ui.space()
            if can_write and client.active:
                ui.button('Adicionar acesso', icon='person_add',
                          on_click=lambda: add_login_dialog(actor, client, listing.refresh)) \
                    .props('unelevated no-caps')
        ui.label('Cada pessoa do cliente que usa o portal tem o seu próprio login. Ao criar um acesso, ela recebe um '
                 'e-mail de boas-vindas com o link para definir a senha.').classes('text-sm text-grey-7')

        @ui.refreshable
        def listing() -> None:
            logins = users.list_client_logins(actor, client.id)
            if on_count is not None:
                on_count(len(logins))
            if not logins:
                ui.label('Nenhum acesso ainda.').classes('text-grey-7 q-py-sm')
                return
            with ui.column().classes('w-full gap-0'):
                for login in logins:
                    login_row(actor, client, login, can_write, listing.refresh)

        listing()


def login_row(actor: Actor, client: Client, login: User, can_write: bool, refresh) -> None:
    if not login.active:
        tag = '<span class="conton-tag off">Desativado</span>'
    elif not login.password_hash:
        tag = '<span class="conton-tag wait">Aguardando definir a senha</span>'
    else:
        tag = '<span class="conton-tag on">Ativo</span>'
    seen = f'Último acesso em {formatting.when(login.last_login_at)}' if login.last_login_at else 'Ainda não entrou'
    with ui.row().classes('w-full items-center gap-2 q-py-sm').style('border-top: 1px solid #eee'):
        with ui.column().classes('gap-0 col-grow').style('min-width: 200px'):
            ui.label(login.name).classes('text-weight-medium')
            ui.label(login.email).classes('text-sm text-grey-8').style('overflow-wrap: anywhere')
            ui.label(seen).classes('text-xs text-grey-6')
        ui.html(tag)
        if not can_write:
            return

        @action
        def resend() -> None:
            users.resend_welcome(actor, login.id)
            ui.notify(f'Novo link para definir a senha enviado para {login.email}; o anterior deixou de valer.',
                      type='positive')

        @action
        def toggle() -> None:
            users.set_active(actor, login.id, not login.active)
            ui.notify('Acesso reativado.' if not login.active else 'Acesso desativado: a pessoa não entra mais.',
                      type='positive')
            refresh()

        if login.active:
            ui.button(NEW_LINK, icon='forward_to_inbox', on_click=lambda: confirm_new_link(login, resend)) \
                .props('flat dense no-caps').mark('new-link')
            ui.button('Desativar', icon='block', on_click=toggle).props('flat dense no-caps color=grey-8')
        elif client.active:
            ui.button('Reativar', icon='check_circle', on_click=toggle).props('flat dense no-caps color=positive')


NEW_LINK = 'Enviar novo link para definir a senha'


def confirm_new_link(login: User, send) -> None:
    """What 'Enviar novo link' does, said before it is done: a new link, the old one ends, the password stays."""
    with ui.dialog() as dialog, ui.card().style('max-width: 480px'):
        ui.label(f'{NEW_LINK}?').classes('text-h6')
        ui.label(f'{login.email} recebe um e-mail com um novo link para definir a senha (válido por 72 horas). O link '
                 'enviado antes deixa de funcionar; a senha atual, se houver, continua valendo até a pessoa definir '
                 'outra.').classes('text-grey-8')

        async def confirm() -> None:
            dialog.close()
            await send()  # an @action: its errors become messages

        with ui.row().classes('w-full justify-end gap-2'):
            ui.button('Cancelar', on_click=dialog.close).props('flat no-caps')
            ui.button('Enviar novo link', on_click=confirm).props('unelevated no-caps').mark('confirm-new-link')
    dialog.open()


def add_login_dialog(actor: Actor, client: Client, refresh) -> None:
    name_value, email_value = '', ''
    if client.is_test:  # the office trying its own portal: a variant of the acting user's e-mail
        local, _, domain = actor.email.partition('@')
        name_value, email_value = f'{actor.name} (teste)', f'{local}+cliente@{domain}'
    with ui.dialog() as dialog, ui.card().classes('w-full').style('max-width: 440px'):
        ui.label('Novo acesso ao portal').classes('text-h6')
        ui.label(f'Para {client.name}').classes('text-grey-8')
        form = Form()
        form.add('name', ui.input('Nome da pessoa', value=name_value).classes('w-full'))
        form.add('email', ui.input('E-mail (será o login)', value=email_value).props('type=email').classes('w-full'))

        @action
        async def create() -> None:
            values = form.values()
            login = await form.submit(lambda: users.create_client_login(actor, client.id, **values))
            if login is not None:
                dialog.close()
                ui.notify(f'Acesso criado. Enviamos o e-mail de boas-vindas para {login.email}.', type='positive')
                refresh()

        with ui.row().classes('w-full justify-end gap-2'):
            ui.button('Cancelar', on_click=dialog.close).props('flat no-caps')
            ui.button('Criar acesso e enviar e-mail', on_click=create).props('unelevated no-caps')
    dialog.open()


# --- read-only facts (staff with 'read', the ficha, the client portal) -------------------------------------------

# --- printable record --------------------------------------------------------------------------------------------



@ui.page('/clientes/{client_id}/ficha')
def ficha_page(client_id: str) -> None:
    actor = guard('clients', title='Ficha do cliente')
    if actor is None:
        return
    try:
        data = clients.ficha(actor, client_id)
    except NotFound:
        with frame(actor, 'Ficha do cliente'):
            not_found()
        return
    c = data.client
    ui.page_title(f'Ficha · {c.name}')
    ui.colors(primary='#1565c0')
    with ui.row().classes('no-print w-full justify-center gap-2 q-mb-md'):
        ui.button('Imprimir', icon='print', on_click=lambda: ui.run_javascript('window.print()')) \
            .props('unelevated no-caps')
        ui.button('Voltar', icon='arrow_back', on_click=lambda: ui.navigate.to(f'/clientes/{c.id}')) \
            .props('flat no-caps')
    ui.html(ficha_html(data)).classes('conton-ficha').mark('ficha')


def ficha_html(data: clients.Ficha) -> str:
    c = data.client
    document = f'CNPJ {formatting.document(data.office_document)}' if data.office_document else ''
    office = (f'<div><div class="n">{esc(data.office_name)}</div><div class="d">{esc(document)}</div></div>'
              '<div class="d">Ficha cadastral do cliente</div>')
    rows = ''.join(f'<tr><td>{esc(u.name)}</td><td>{esc(u.email)}</td>'
                   f'<td>{"Ativo" if u.active else "Desativado"}</td>'
                   f'<td>{esc(formatting.when(u.last_login_at)) if u.last_login_at else "—"}</td></tr>'
                   for u in data.logins)
    logins = (f'<table><thead><tr><th>Nome</th><th>E-mail (login)</th><th>Situação</th><th>Último acesso</th></tr>'
              f'</thead><tbody>{rows}</tbody></table>' if data.logins else '<p>Nenhum acesso ao portal.</p>')
    return (f'<div class="office">{office}</div><h1>{esc(c.name)}</h1>'
            f'{client_facts_html(c, internal=True)}<div class="conton-section">Acessos ao portal</div>{logins}'
            f'<div class="foot">Emitida em {esc(formatting.when(data.printed_at))} por {esc(data.printed_by)}.</div>')
