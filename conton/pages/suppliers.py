"""Fornecedores: the list (search, situação filter, server-side pages), create, edit, deactivate and delete."""
from __future__ import annotations

from urllib.parse import urlencode

from nicegui import ui

from .. import formatting
from ..models import Supplier
from ..services import suppliers
from ..services.errors import NotFound, ValidationError
from ..services.permissions import Actor
from . import listing
from .common import Form, action, not_found, page_title, pager
from .frame import esc, frame, guard

STATUS_OPTIONS = {'ativos': 'Ativos', 'inativos': 'Inativos', 'todos': 'Todos'}
KIND_OPTIONS = {'PJ': 'Pessoa Jurídica', 'PF': 'Pessoa Física'}
PER_PAGE = 20


# --- list --------------------------------------------------------------------------------------------------------

@ui.page('/fornecedores')
def suppliers_page(q: str = '', situacao: str = 'ativos', pagina: str = '1', aviso: str = '') -> None:
    actor = guard('suppliers', title='Fornecedores')
    if actor is None:
        return
    state = {'q': q[:100], 'status': situacao if situacao in STATUS_OPTIONS else 'ativos',
             'page': listing.page_number(pagina)}
    can_write = actor.can('suppliers', 'write')
    with frame(actor, 'Fornecedores'):
        page_title('Fornecedores', 'fornecedores')
        if aviso == 'excluido':
            hint('Fornecedor excluído.')

        with ui.row().classes('w-full items-center gap-2 q-mb-sm'):
            search = ui.input(placeholder='Buscar por nome, CPF/CNPJ, contato ou e-mail', value=state['q']) \
                .props('outlined dense clearable debounce=350 aria-label=Buscar').classes('w-full sm:w-80')
            with search.add_slot('prepend'):
                ui.icon('search')
            status = ui.toggle(STATUS_OPTIONS, value=state['status']).props('no-caps unelevated toggle-color=primary '
                                                                          'color=grey-3 text-color=grey-9')
            ui.space()
            if can_write:
                ui.button('Novo fornecedor', icon='add', on_click=lambda: ui.navigate.to('/fornecedores/novo')) \
                    .props('unelevated no-caps color=primary')

        @ui.refreshable
        def results() -> None:
            found = suppliers.search(actor, state['q'], state['status'], state['page'], PER_PAGE)
            state['page'] = found.page
            if not found.rows:
                empty_state(state, can_write)
                return
            ui.html(table_html(found.rows)).classes('conton-table').mark('suppliers-table')
            pager(found.total, found.page, PER_PAGE, go_to)

        def remember() -> None:
            params = {k: v for k, v in (('q', state['q']), ('situacao', state['status']), ('pagina', state['page']))
                      if v and (k, v) not in (('situacao', 'ativos'), ('pagina', 1))}
            ui.navigate.history.replace('/fornecedores' + (f'?{urlencode(params)}' if params else ''))

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


def empty_state(state: dict, can_write: bool) -> None:
    with ui.column().classes('w-full items-center q-pa-xl gap-2 text-center'):
        ui.icon('local_shipping', size='xl', color='grey-5')
        if state['q']:
            ui.label(f'Nenhum fornecedor encontrado para “{state["q"]}”.').classes('text-subtitle1')
            ui.label('Confira a grafia ou busque por parte do nome, do CPF/CNPJ, do contato ou do e-mail.') \
                .classes('text-grey-7')
        elif state['status'] == 'inativos':
            ui.label('Nenhum fornecedor inativo.').classes('text-subtitle1')
        else:
            ui.label('Nenhum fornecedor cadastrado ainda.').classes('text-subtitle1')
            if can_write:
                ui.label('Cadastre quem o escritório paga (aluguel, energia, sistemas...) para usar em Pagamentos.') \
                    .classes('text-grey-7')
                ui.button('Cadastrar fornecedor', icon='add', on_click=lambda: ui.navigate.to('/fornecedores/novo')) \
                    .props('unelevated no-caps')


COLUMNS = (listing.Column('Nome', 'wrap first', labelled=False), listing.Column('CPF/CNPJ', 'nw'),
           listing.Column('Categoria'),
           listing.Column('Contato', 'wrap'), listing.Column('Telefone', 'nw'),
           listing.Column('Situação', 'st', labelled=False))


def table_html(rows: list[Supplier]) -> str:
    """The page of suppliers as one escaped HTML table (listing.table_html: cards on a phone)."""
    return listing.table_html(COLUMNS, ([
        f'<a class="open" href="/fornecedores/{s.id}">{esc(s.name)}</a>',
        esc(formatting.document(s.document)), esc(s.category),
        esc(s.contact_name) + (f'<div class="small">{esc(s.email)}</div>' if s.email else ''),
        esc(formatting.phone(s.phone)),
        '<span class="conton-tag on">Ativo</span>' if s.active else '<span class="conton-tag off">Inativo</span>',
    ] for s in rows))


def hint(text: str, color: str = 'primary') -> None:
    with ui.row().classes(f'w-full items-start no-wrap gap-2 q-pa-sm rounded-borders bg-blue-1 text-{color} q-mb-sm'):
        ui.icon('info', size='sm')
        ui.label(text)


# --- create and edit ---------------------------------------------------------------------------------------------

@ui.page('/fornecedores/novo')
def new_supplier_page() -> None:
    actor = guard('suppliers', 'write', title='Novo fornecedor')
    if actor is None:
        return
    with frame(actor, 'Novo fornecedor'):
        ui.link('← Fornecedores', '/fornecedores').classes('text-sm')
        page_title('Novo fornecedor', 'fornecedores')
        with ui.card().classes('w-full'):
            form = supplier_form(None, suppliers.categories(actor))

            @action
            async def save() -> None:
                created = await form.submit(lambda: suppliers.create(actor, **form.values()))
                if created is not None:
                    ui.navigate.to(f'/fornecedores/{created.id}?aviso=novo')

            with ui.row().classes('gap-2'):
                ui.button('Cadastrar fornecedor', icon='save', on_click=save).props('unelevated no-caps')
                ui.button('Cancelar', on_click=lambda: ui.navigate.to('/fornecedores')).props('flat no-caps')


@ui.page('/fornecedores/{supplier_id}')
def supplier_page(supplier_id: str, aviso: str = '') -> None:
    actor = guard('suppliers', title='Fornecedor')
    if actor is None:
        return
    try:
        supplier = suppliers.get(actor, supplier_id)
    except NotFound:
        with frame(actor, 'Fornecedor'):
            not_found()
        return
    can_write = actor.can('suppliers', 'write')
    with frame(actor, supplier.name):
        ui.link('← Fornecedores', '/fornecedores').classes('text-sm')
        page_title(supplier.name, 'fornecedores')
        with ui.row().classes('w-full items-center gap-2 q-mb-sm'):
            ui.html('<span class="conton-tag on">Ativo</span>' if supplier.active
                    else '<span class="conton-tag off">Inativo</span>')
            ui.label(formatting.document(supplier.document)).classes('text-grey-8')
            ui.space()
            if can_write:
                with ui.row().classes('gap-1 no-wrap'):
                    if supplier.active:
                        ui.button('Desativar', icon='block', on_click=lambda: confirm_deactivate(actor, supplier)) \
                            .props('flat dense no-caps color=grey-8').classes('q-px-sm')
                    else:
                        ui.button('Reativar', icon='check_circle', on_click=lambda: reactivate(actor, supplier)) \
                            .props('flat dense no-caps color=positive').classes('q-px-sm')
                    ui.button('Excluir', icon='delete', on_click=lambda: confirm_delete(actor, supplier)) \
                        .props('flat dense no-caps color=negative').classes('q-px-sm')

        if aviso == 'novo':
            hint('Fornecedor cadastrado. Ele já pode ser escolhido nas contas de Pagamentos.')
        elif aviso == 'reativado':
            hint('Fornecedor reativado.')
        if not supplier.active:
            hint('Fornecedor inativo: não aparece na escolha de fornecedor das novas contas a pagar.', 'grey-7')

        with ui.card().classes('w-full'):
            if can_write:
                form = supplier_form(supplier, suppliers.categories(actor))

                @action
                async def save() -> None:
                    updated = await form.submit(lambda: suppliers.update(actor, supplier.id, **form.values()))
                    if updated is not None:
                        form.fields['document'].value = formatting.document(updated.document)
                        ui.notify('Alterações salvas.', type='positive')

                ui.button('Salvar alterações', icon='save', on_click=save).props('unelevated no-caps')
            else:
                ui.html(facts_html(supplier)).classes('w-full')


def supplier_form(supplier: Supplier | None, categories: list[str]) -> Form:
    """The supplier's fields; names match the service's field names."""
    s = supplier or Supplier(kind='PJ', document='', name='')
    form = Form()
    person = s.kind == 'PF'

    def section(title: str):
        ui.label(title).classes('conton-section')
        return ui.grid().classes('w-full gap-x-4 gap-y-0 grid-cols-1 sm:grid-cols-2 md:grid-cols-4')

    with section('Identificação'):
        with ui.element('div').classes('sm:col-span-2 flex items-center q-py-sm'):
            kind = form.add('kind', ui.toggle(KIND_OPTIONS, value=s.kind)
                            .props('no-caps unelevated toggle-color=primary color=grey-3 text-color=grey-9'))
        document = form.add('document', ui.input('CPF' if person else 'CNPJ', value=formatting.document(s.document))
                            .props(f'mask="{_doc_mask(s.kind)}" inputmode=text autocomplete=off')
                            .classes('w-full sm:col-span-2 md:col-span-1'))
        name = form.add('name', ui.input('Nome completo' if person else 'Razão social', value=s.name)
                        .classes('w-full sm:col-span-2 md:col-span-3'))
        form.add('category', ui.input('Categoria', value=s.category, autocomplete=categories)
                 .props('hint="Ex.: Aluguel, Energia elétrica, Software"').classes('w-full sm:col-span-2 '
                                                                                  'md:col-span-1'))

    def kind_changed() -> None:
        pf = kind.value == 'PF'
        document.props['label'] = 'CPF' if pf else 'CNPJ'
        document.props(f'mask="{_doc_mask(kind.value)}"')
        name.props['label'] = 'Nome completo' if pf else 'Razão social'
        document.update()
        name.update()

    kind.on_value_change(kind_changed)

    with section('Contato'):
        form.add('contact_name', ui.input('Pessoa de contato', value=s.contact_name).classes('w-full'))
        form.add('email', ui.input('E-mail', value=s.email).props('type=email').classes('w-full sm:col-span-1 '
                                                                                       'md:col-span-2'))
        form.add('phone', ui.input('Telefone', value=formatting.phone(s.phone)).props('type=tel').classes('w-full'))

    ui.label('Observações').classes('conton-section')
    form.add('notes', ui.textarea('Observações internas', value=s.notes).props('autogrow').classes('w-full'))
    return form


def _doc_mask(kind: str) -> str:
    return '###.###.###-##' if kind == 'PF' else 'XX.XXX.XXX/XXXX-##'  # X: letter or digit, upper-cased


def facts_html(s: Supplier) -> str:
    """The registration as label/value pairs (staff with 'read' only)."""
    person = s.kind == 'PF'
    facts = [
        ('Tipo', suppliers.KINDS.get(s.kind, s.kind)),
        ('CPF' if person else 'CNPJ', formatting.document(s.document)),
        ('Nome' if person else 'Razão social', s.name),
        ('Categoria', s.category),
        ('Pessoa de contato', s.contact_name),
        ('E-mail', s.email),
        ('Telefone', formatting.phone(s.phone)),
        ('Situação', 'Ativo' if s.active else 'Inativo'),
        ('Cadastrado em', formatting.day(s.created_at)),
    ]
    parts = ['<div class="conton-facts">']
    for label, value in facts:
        if value:
            parts.append(f'<div class="f"><div class="k">{esc(label)}</div><div class="v">{esc(value)}</div></div>')
    if s.notes:
        parts.append(f'<div class="f wide"><div class="k">Observações</div><div class="v">{esc(s.notes)}</div></div>')
    return ''.join(parts) + '</div>'


# --- deactivate, reactivate, delete ------------------------------------------------------------------------------

def confirm_deactivate(actor: Actor, supplier: Supplier) -> None:
    with ui.dialog() as dialog, ui.card().style('max-width: 480px'):
        ui.label(f'Desativar {supplier.name}?').classes('text-h6')
        ui.label('O fornecedor deixa de aparecer na lista de ativos e na escolha de fornecedor das novas contas a '
                 'pagar. As contas dele continuam em Pagamentos. Você pode reativá-lo depois.').classes('text-grey-8')

        @action
        def confirm() -> None:
            suppliers.set_active(actor, supplier.id, False)
            dialog.close()
            ui.navigate.to(f'/fornecedores/{supplier.id}')

        with ui.row().classes('w-full justify-end gap-2'):
            ui.button('Cancelar', on_click=dialog.close).props('flat no-caps')
            ui.button('Desativar fornecedor', on_click=confirm).props('unelevated no-caps color=negative')
    dialog.open()


@action
def reactivate(actor: Actor, supplier: Supplier) -> None:
    suppliers.set_active(actor, supplier.id, True)
    ui.navigate.to(f'/fornecedores/{supplier.id}?aviso=reativado')


def confirm_delete(actor: Actor, supplier: Supplier) -> None:
    with ui.dialog() as dialog, ui.card().style('max-width: 520px'):
        ui.label(f'Excluir {supplier.name}?').classes('text-h6')
        ui.label('A exclusão é definitiva. Só é possível excluir um fornecedor sem contas em Pagamentos.') \
            .classes('text-grey-8')
        refused = ui.label('').classes('text-negative')
        refused.set_visibility(False)

        @action
        def confirm() -> None:
            try:
                suppliers.delete(actor, supplier.id)
            except ValidationError as e:
                refused.text = str(e)
                refused.set_visibility(True)
                remove.set_visibility(False)
                deactivate.set_visibility(supplier.active)
                return
            dialog.close()
            ui.navigate.to('/fornecedores?aviso=excluido')

        def instead() -> None:
            dialog.close()
            confirm_deactivate(actor, supplier)

        with ui.row().classes('w-full justify-end gap-2'):
            ui.button('Cancelar', on_click=dialog.close).props('flat no-caps')
            deactivate = ui.button('Desativar em vez disso', on_click=instead).props('unelevated no-caps')
            deactivate.set_visibility(False)
            remove = ui.button('Excluir', on_click=confirm).props('unelevated no-caps color=negative') \
                .mark('confirm-delete')
    dialog.open()
