"""Meus Dados: the office's profile in five tabs (Logotipo, Dados cadastrais, Boletos, Contador, Avisos), one form each.
Staff with 'read' see the same forms read-only."""
from __future__ import annotations

from urllib.parse import urlencode

from nicegui import ui

from .. import formatting
from ..br import boleto
from ..models import Office
from ..services import channels, notifications, office, storage, validation
from ..services.errors import ValidationError
from ..services.permissions import Actor
from ..uploads import file_upload
from .common import Form, action, page_title
from .frame import frame, guard

TABS = {'logotipo': 'Logotipo', 'dados': 'Dados cadastrais', 'boletos': 'Boletos', 'contador': 'Contador',
        'avisos': 'Avisos'}
UF_OPTIONS = {'': '—'} | {uf: uf for uf in validation.UFS}
BANK_OPTIONS = {'': '—'} | {code: office.bank_label(code) for code in office.BANKS}
_SUPPORTED_NAMES = list(boleto.SUPPORTED_BANKS.values())
SUPPORTED = ', '.join(_SUPPORTED_NAMES[:-1]) + ' e ' + _SUPPORTED_NAMES[-1]
BANK_HINTS = {
    '001': 'Banco do Brasil: informe o convênio (7 dígitos; com 4 ou 6 dígitos, informe também agência e conta) e a '
           'carteira (por exemplo 17).',
    '341': 'Itaú: informe a agência (4 dígitos), a conta (5 dígitos) com o dígito e a carteira (por exemplo 109).',
    '237': 'Bradesco: informe a agência (4 dígitos), a conta (até 7 dígitos) com o dígito e a carteira '
           '(por exemplo 09).',
    '104': 'Caixa: informe o código do beneficiário (6 dígitos) e a carteira RG (cobrança registrada).',
    '033': 'Santander: informe o código do beneficiário (7 dígitos) e a carteira (por exemplo 101).',
}


@ui.page('/meus-dados')
def office_page(aba: str = 'logotipo', aviso: str = '') -> None:
    actor = guard('office', title='Meus Dados')
    if actor is None:
        return
    data = office.get(actor)
    can_write = actor.can('office', 'write')
    current = aba if aba in TABS else 'logotipo'
    with frame(actor, 'Meus Dados'):
        page_title('Meus Dados', 'meus-dados')
        if aviso == 'bem-vindo':
            hint('Bem-vindo(a)! Comece pelos dados do escritório: o logotipo e o nome fantasia aparecem no cabeçalho, '
                 'nos e-mails e nos boletos; em Boletos ficam o banco e a chave PIX das cobranças.')
        elif aviso == 'salvo':
            hint('Dados cadastrais salvos.')
        elif aviso == 'logo':
            hint('Logotipo atualizado.')
        elif aviso == 'sem-logo':
            hint('Logotipo removido.')
        if not can_write:
            hint('Você pode ver estes dados, mas não alterá-los.', 'grey-8')

        with ui.card().classes('w-full q-pa-none'):
            with ui.tabs(value=current).classes('w-full text-grey-8 conton-office-tabs') \
                    .props('align=left active-color=primary indicator-color=primary no-caps mobile-arrows') as tabs:
                for key, label in TABS.items():
                    ui.tab(key, label)
            ui.separator()
            with ui.tab_panels(tabs, value=current).classes('w-full'):
                with ui.tab_panel('logotipo'):
                    logo_tab(actor, can_write)
                with ui.tab_panel('dados'):
                    registration_tab(actor, data, can_write)
                with ui.tab_panel('boletos'):
                    boleto_tab(actor, data, can_write)
                with ui.tab_panel('contador'):
                    accountant_tab(actor, data, can_write)
                with ui.tab_panel('avisos'):
                    channels_tab(actor, can_write)
        tabs.on_value_change(lambda e: ui.navigate.history.replace('/meus-dados?' + urlencode({'aba': e.value})))


def hint(text: str, color: str = 'primary') -> None:
    with ui.row().classes(f'w-full items-start no-wrap gap-2 q-pa-sm rounded-borders bg-blue-1 text-{color} q-mb-sm'):
        ui.icon('info', size='sm')
        ui.label(text)


def section(title: str) -> ui.grid:
    ui.label(title).classes('conton-section')
    return ui.grid().classes('w-full gap-x-4 gap-y-0 grid-cols-1 sm:grid-cols-2 md:grid-cols-4')


def finish(form: Form, can_write: bool, label: str, on_save) -> None:
    """Read-only fields for 'read' permission; otherwise the Salvar button."""
    if not can_write:
        for element in form.fields.values():
            element.props('readonly')
        return
    ui.button(label, icon='save', on_click=on_save).props('unelevated no-caps').classes('q-mt-md')


# --- Logotipo ----------------------------------------------------------------------------------------------------

def logo_tab(actor: Actor, can_write: bool) -> None:
    brand = office.branding()
    with ui.row().classes('w-full items-start gap-6'):
        with ui.element('div').classes('conton-logo-box').mark('logo-preview'):
            if brand.has_logo:
                ui.html(f'<img src="/logo?v={brand.version}" alt="Logotipo do escritório">')
            else:
                ui.icon('image', size='xl')
                ui.label('Sem logotipo').classes('text-sm')
        with ui.column().classes('gap-2 col').style('min-width: 240px'):
            ui.label('O logotipo aparece no cabeçalho do portal (para a equipe e para os clientes), nos e-mails e nos '
                     'PDFs (boletos e recibos).')
            ui.label('PNG, JPEG ou WebP, até 2 MB. Prefira uma imagem quadrada ou horizontal, com fundo branco ou '
                     'transparente.').classes('text-sm text-grey-7')
            if not can_write:
                return
            error = ui.label('').classes('text-negative text-sm').mark('logo-error')
            error.set_visibility(False)

            @action
            async def uploaded(e) -> None:
                error.set_visibility(False)
                try:
                    stored = await storage.save_upload(e.file, folder=office.LOGO_FOLDER,
                                                       max_bytes=office.LOGO_MAX_BYTES, allowed=storage.IMAGES)
                    office.set_logo(actor, stored)
                except ValidationError as ex:
                    error.text = next(iter(ex.errors.values()))
                    error.set_visibility(True)
                    upload.reset()
                    return
                ui.navigate.to('/meus-dados?aba=logotipo&aviso=logo')

            def rejected() -> None:
                error.text = 'Arquivo não aceito: envie uma imagem PNG, JPEG ou WebP de até 2 MB.'
                error.set_visibility(True)

            upload = file_upload(label='Escolher imagem', auto_upload=True, max_file_size=office.LOGO_MAX_BYTES,
                                 on_upload=uploaded, on_rejected=rejected) \
                .props('accept="image/png,image/jpeg,image/webp" flat bordered color=primary') \
                .classes('w-full conton-logo-upload').style('max-width: 360px')

            if brand.has_logo:
                @action
                def remove() -> None:
                    office.remove_logo(actor)
                    ui.navigate.to('/meus-dados?aba=logotipo&aviso=sem-logo')

                ui.button('Remover logotipo', icon='delete', on_click=remove) \
                    .props('flat no-caps color=negative').classes('self-start')


# --- Dados cadastrais --------------------------------------------------------------------------------------------

def registration_tab(actor: Actor, data: Office, can_write: bool) -> None:
    form = Form()
    with section('Identificação'):
        form.add('legal_name', ui.input('Razão social', value=data.legal_name).classes('w-full sm:col-span-2'))
        form.add('trade_name', ui.input('Nome fantasia', value=data.trade_name)
                 .props('hint="Aparece no cabeçalho e nos e-mails"').classes('w-full sm:col-span-2'))
        form.add('document', ui.input('CNPJ ou CPF', value=formatting.document(data.document))
                 .props('inputmode=text autocomplete=off').classes('w-full'))
        form.add('municipal_registration', ui.input('Inscrição municipal', value=data.municipal_registration)
                 .classes('w-full'))
    with section('Endereço'):
        form.add('cep', ui.input('CEP', value=formatting.cep(data.cep)).props('mask="#####-###" inputmode=numeric')
                 .classes('w-full'))
        form.add('street', ui.input('Logradouro', value=data.street).classes('w-full md:col-span-2'))
        form.add('number', ui.input('Número', value=data.number).classes('w-full'))
        form.add('complement', ui.input('Complemento', value=data.complement).classes('w-full'))
        form.add('district', ui.input('Bairro', value=data.district).classes('w-full'))
        form.add('city', ui.input('Cidade', value=data.city).classes('w-full'))
        form.add('uf', ui.select(UF_OPTIONS, label='UF', value=data.uf or '').classes('w-full'))
    with section('Contato'):
        form.add('phone', ui.input('Telefone', value=formatting.phone(data.phone)).props('type=tel')
                 .classes('w-full'))
        form.add('email', ui.input('E-mail do escritório', value=data.email).props('type=email')
                 .classes('w-full sm:col-span-1 md:col-span-2'))

    @action
    async def save() -> None:
        before = office.branding().name
        saved = await form.submit(lambda: office.update_registration(actor, **form.values()))
        if saved is None:
            return
        if office.branding().name != before:  # the header shows the new name
            ui.navigate.to('/meus-dados?aba=dados&aviso=salvo')
            return
        form.fields['document'].value = formatting.document(saved.document)
        ui.notify('Dados cadastrais salvos.', type='positive')

    finish(form, can_write, 'Salvar dados cadastrais', save)


# --- Boletos -----------------------------------------------------------------------------------------------------

def boleto_tab(actor: Actor, data: Office, can_write: bool) -> None:
    state = {'office': data}

    @ui.refreshable
    def status() -> None:
        current = state['office']
        missing = office.boleto_settings_missing(current)
        if not missing:
            with ui.row().classes('w-full items-start no-wrap gap-2 q-pa-sm rounded-borders bg-green-1 '
                                  'text-positive'):
                ui.icon('check_circle', size='sm')
                ui.label(f'Pronto para gerar boletos do {boleto.SUPPORTED_BANKS[current.bank_code]}.')
        else:
            listed = missing[0] if len(missing) == 1 else ', '.join(missing[:-1]) + ' e ' + missing[-1]
            with ui.row().classes('w-full items-start no-wrap gap-2 q-pa-sm rounded-borders bg-orange-1 '
                                  'text-orange-10').mark('boleto-missing'):
                ui.icon('warning', size='sm')
                ui.label(f'Para gerar boletos, falta: {listed}.')

    status()
    ui.label(f'O Conton gera boletos para {SUPPORTED}. Com outro banco, as cobranças podem ser pagas por PIX. '
             f'{office.REGISTRATION_NOTE}').classes('text-sm text-grey-8 q-mt-sm')

    form = Form()
    with section('Conta de cobrança'):
        bank = form.add('bank_code', ui.select(BANK_OPTIONS, label='Banco', value=data.bank_code or '',
                                               with_input=True).classes('w-full sm:col-span-2'))
        form.add('agencia', ui.input('Agência', value=data.agencia).props('inputmode=numeric hint="Com o dígito, se '
                                                                         'houver: 1234-5"').classes('w-full'))
        with ui.element('div').classes('w-full flex no-wrap gap-2'):
            form.add('conta', ui.input('Conta', value=data.conta).props('inputmode=numeric').classes('col-grow'))
            form.add('conta_dv', ui.input('Dígito', value=data.conta_dv).props('maxlength=2').style('width: 64px'))
        form.add('carteira', ui.input('Carteira', value=data.carteira).classes('w-full'))
        form.add('convenio', ui.input('Código do beneficiário (convênio)', value=data.convenio)
                 .props('inputmode=numeric').classes('w-full sm:col-span-2'))
    bank_hint = ui.label('').classes('text-sm text-primary q-mt-xs')

    def show_bank_hint() -> None:
        code = bank.value or ''
        if code in BANK_HINTS:
            bank_hint.text = BANK_HINTS[code]
        elif code:
            bank_hint.text = 'Boletos deste banco ainda não são gerados pelo Conton: receba por PIX.'
        else:
            bank_hint.text = ''

    bank.on_value_change(show_bank_hint)
    show_bank_hint()

    with section('PIX'):
        form.add('pix_key', ui.input('Chave PIX', value=data.pix_key)
                 .props('hint="CPF, CNPJ, e-mail, telefone (+55 DDD número) ou chave aleatória" autocomplete=off')
                 .classes('w-full sm:col-span-2'))
        kind = ui.label(_pix_kind(data)).classes('text-sm text-grey-7 self-center sm:col-span-2')
    with section('Multa, juros e instruções'):
        form.add('fine', ui.input('Multa por atraso (%)', value=office.percent_input(data.fine_bp))
                 .props('inputmode=decimal hint="De 0 a 20 %, ex.: 2,00"').classes('w-full'))
        form.add('interest', ui.input('Juros ao mês (%)', value=office.percent_input(data.interest_bp_month))
                 .props('inputmode=decimal hint="De 0 a 10 % ao mês, ex.: 1,00"').classes('w-full'))
        form.add('instructions', ui.textarea('Instruções no boleto (até 3 linhas)', value=data.instructions)
                 .props('autogrow').classes('w-full sm:col-span-2'))

    @action
    async def save() -> None:
        saved = await form.submit(lambda: office.update_boleto(actor, **form.values()))
        if saved is None:
            return
        state['office'] = saved
        form.fields['pix_key'].value = saved.pix_key
        form.fields['fine'].value = office.percent_input(saved.fine_bp)
        form.fields['interest'].value = office.percent_input(saved.interest_bp_month)
        kind.text = _pix_kind(saved)
        status.refresh()
        ui.notify('Dados de cobrança salvos.', type='positive')

    finish(form, can_write, 'Salvar dados de cobrança', save)


def _pix_kind(data: Office) -> str:
    if not data.pix_key:
        return 'Sem chave PIX: os boletos saem sem o QR Code.'
    return f'Tipo da chave: {office.PIX_KINDS.get(data.pix_key_type, data.pix_key_type)}.'


# --- Contador ----------------------------------------------------------------------------------------------------

def accountant_tab(actor: Actor, data: Office, can_write: bool) -> None:
    ui.label('O contador responsável pelo escritório aparece nos recibos e documentos emitidos.') \
        .classes('text-sm text-grey-8')
    form = Form()
    with section('Contador responsável'):
        form.add('accountant_name', ui.input('Nome do contador', value=data.accountant_name)
                 .classes('w-full sm:col-span-2'))
        form.add('accountant_cpf', ui.input('CPF do contador', value=formatting.document(data.accountant_cpf))
                 .props('mask="###.###.###-##" inputmode=numeric').classes('w-full sm:col-span-2'))
        form.add('crc_number', ui.input('Número do CRC', value=data.crc_number)
                 .props('hint="Ex.: 1SP123456/O-8"').classes('w-full sm:col-span-2'))
        form.add('crc_uf', ui.select(UF_OPTIONS, label='UF do CRC', value=data.crc_uf or '').classes('w-full'))

    @action
    async def save() -> None:
        saved = await form.submit(lambda: office.update_accountant(actor, **form.values()))
        if saved is not None:
            form.fields['crc_number'].value = saved.crc_number
            ui.notify('Dados do contador salvos.', type='positive')

    finish(form, can_write, 'Salvar dados do contador', save)


# --- Avisos ------------------------------------------------------------------------------------------------------

def channels_tab(actor: Actor, can_write: bool) -> None:
    """The office default, per category, of how a login is told; each login may choose otherwise in Meu perfil."""
    ui.label('Como cada usuário é avisado, por tipo de aviso, enquanto não escolher outra forma em Meu perfil. Todo '
             'aviso fica guardado na lista do painel (o sino); aqui se escolhe se ele também aparece na hora e se vai '
             'por e-mail.').classes('text-sm text-grey-8')
    form = Form()
    with section('Padrão do escritório'):
        for category, channel in channels.defaults(actor).items():
            form.add(category, ui.select(channels.CHANNEL_LABELS, label=notifications.CATEGORY_LABELS[category],
                                         value=channel).classes('w-full sm:col-span-2').mark(f'default-{category}'))

    @action
    async def save() -> None:
        if await form.submit(lambda: channels.set_defaults(actor, form.values())) is not None:
            ui.notify('Padrões de aviso salvos.', type='positive')

    finish(form, can_write, 'Salvar padrões de aviso', save)
