"""The office (Meus Dados): registration, logo, bank/PIX settings for boletos, accountant; and the branding cache
the header, e-mails and PDFs read.

Four forms, one service function each (`update_registration`, `update_boleto`, `update_accountant`, `set_logo`),
every field validated at once. `public_info()` and `boleto_settings_missing()` are for other services (no actor).
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlmodel import Session

from .. import formatting
from ..br import boleto, pix
from ..clock import now
from ..models import Office
from . import audit, storage, validation
from .base import unit
from .errors import ValidationError
from .permissions import Actor, require

log = logging.getLogger(__name__)

LOGO_FOLDER = 'logo'
LOGO_MAX_BYTES = 2 * 1024 * 1024

# The main banks (code -> name), for the Boletos tab; boletos are generated for boleto.SUPPORTED_BANKS only
BANKS: dict[str, str] = {
    '001': 'Banco do Brasil',
    '033': 'Santander',
    '104': 'Caixa Econômica Federal',
    '237': 'Bradesco',
    '341': 'Itaú Unibanco',
    '756': 'Sicoob',
    '748': 'Sicredi',
    '077': 'Banco Inter',
    '260': 'Nu Pagamentos (Nubank)',
    '336': 'C6 Bank',
    '208': 'BTG Pactual',
    '422': 'Banco Safra',
    '041': 'Banrisul',
    '212': 'Banco Original',
    '070': 'BRB - Banco de Brasília',
    '004': 'Banco do Nordeste',
    '021': 'Banestes',
    '655': 'Banco Votorantim (BV)',
    '290': 'PagSeguro (PagBank)',
    '323': 'Mercado Pago',
    '380': 'PicPay',
    '197': 'Stone',
    '403': 'Cora',
}
REGISTRATION_NOTE = ('O boleto só pode ser pago depois de registrado no banco: registre cada cobrança no seu banco '
                     '(internet banking ou arquivo de remessa) antes de enviá-la ao cliente.')
PIX_KINDS = {'cpf': 'CPF', 'cnpj': 'CNPJ', 'email': 'E-mail', 'telefone': 'Telefone', 'aleatoria': 'Chave aleatória'}
FINE_MAX_BP = 2000  # multa: at most 20 %
INTEREST_MAX_BP = 1000  # juros: at most 10 % a.m.

REGISTRATION_FIELDS = ('legal_name', 'trade_name', 'document', 'municipal_registration', 'cep', 'street', 'number',
                       'complement', 'district', 'city', 'uf', 'phone', 'email')
BOLETO_FIELDS = ('bank_code', 'agencia', 'conta', 'conta_dv', 'carteira', 'convenio', 'pix_key', 'instructions',
                 'fine', 'interest')
ACCOUNTANT_FIELDS = ('accountant_name', 'accountant_cpf', 'crc_number', 'crc_uf')
LABELS = {  # for the audit trail: which fields changed
    'legal_name': 'razão social', 'trade_name': 'nome fantasia', 'document': 'CNPJ/CPF',
    'municipal_registration': 'inscrição municipal', 'cep': 'CEP', 'street': 'logradouro', 'number': 'número',
    'complement': 'complemento', 'district': 'bairro', 'city': 'cidade', 'uf': 'UF', 'phone': 'telefone',
    'email': 'e-mail', 'bank_code': 'banco', 'agencia': 'agência', 'conta': 'conta', 'conta_dv': 'dígito da conta',
    'carteira': 'carteira', 'convenio': 'código do beneficiário', 'pix_key': 'chave PIX',
    'pix_key_type': 'tipo da chave PIX', 'instructions': 'instruções', 'fine_bp': 'multa',
    'interest_bp_month': 'juros', 'accountant_name': 'nome do contador', 'accountant_cpf': 'CPF do contador',
    'crc_number': 'CRC', 'crc_uf': 'UF do CRC',
}

# What a boleto needs, per bank (labels as shown to people; the same words as the Boletos tab)
_MISSING_LABELS = {'bank_code': 'banco', 'agencia': 'agência', 'conta': 'conta', 'carteira': 'carteira',
                   'convenio': 'código do beneficiário (convênio)', 'legal_name': 'razão social do escritório',
                   'document': 'CNPJ/CPF do escritório'}
_BANK_FIELDS = {'001': ('convenio', 'carteira'), '341': ('agencia', 'conta', 'carteira'),
                '237': ('agencia', 'conta', 'carteira'), '104': ('convenio', 'carteira'),
                '033': ('convenio', 'carteira')}
# Largest number of digits each supported bank's barcode layout takes (boleto.campo_livre_*)
_BANK_LIMITS = {
    '001': {'agencia': 4, 'conta': 8, 'carteira': 2},
    '341': {'agencia': 4, 'conta': 5, 'carteira': 3},
    '237': {'agencia': 4, 'conta': 7, 'carteira': 2},
    '104': {'convenio': 6},
    '033': {'convenio': 7, 'carteira': 3},
}


# --- branding (header, e-mails, PDFs) ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Branding:
    name: str
    logo_path: Path | None
    logo_mime: str
    version: int  # changes whenever the logo changes (cache-busting in URLs)

    @property
    def has_logo(self) -> bool:
        return self.logo_path is not None


_branding: Branding | None = None
_version = 1


def reset_cache() -> None:
    """Forget the cached branding (after the office name or logo changes)."""
    global _branding, _version  # noqa: PLW0603
    _branding = None
    _version += 1


def logo_dir() -> Path:
    """Where the logo file lives: the uploads' 'logo' folder (inside data_dir/files, so backups include it)."""
    return storage.folder_path(LOGO_FOLDER)


def branding() -> Branding:
    """Office name and logo for the header, e-mails and PDFs; cached in memory (one process) until changed."""
    global _branding  # noqa: PLW0603
    if _branding is None:
        with unit() as session:
            office = session.get(Office, 1)
        name = (office.trade_name or office.legal_name) if office else ''
        path = logo_dir() / office.logo_file if office and office.logo_file else None
        _branding = Branding(name or 'Conton', path if path and path.exists() else None,
                             office.logo_mime if office else '', _version)
    return _branding


def ensure(session: Session) -> Office:
    office = session.get(Office, 1)
    if office is None:
        office = Office(id=1)
        session.add(office)
        session.flush()
    return office


# --- reading -----------------------------------------------------------------------------------------------------

def get(actor: Actor) -> Office:
    """The office's registration for Meus Dados (a detached copy)."""
    require(actor, 'office', 'read')
    with unit(actor) as session:
        return ensure(session)


@dataclass(frozen=True)
class PublicInfo:
    """What documents and e-mails print about the office (no permission needed: it is on every boleto)."""
    name: str  # nome fantasia, else razão social
    legal_name: str  # razão social, else nome fantasia
    document: str  # masked CNPJ/CPF, '' when not filled
    address: str  # 'Rua do Sol, 100 - Boa Vista - Recife/PE - CEP 50050-000'
    city_uf: str  # 'Recife/PE'
    phone: str
    email: str
    accountant_name: str
    crc: str  # 'CRC-PE 012345/O-1'
    logo_path: Path | None


def public_info() -> PublicInfo:
    """The office as it appears on PDFs and e-mails (services call it; there is no actor)."""
    with unit() as session:
        office = session.get(Office, 1) or Office(id=1)
    brand = branding()
    street = ', '.join(p for p in (office.street, office.number) if p)
    if office.complement:
        street = f'{street} {office.complement}'.strip()
    city_uf = '/'.join(p for p in (office.city, office.uf) if p)
    parts = [p for p in (street, office.district, city_uf, f'CEP {formatting.cep(office.cep)}' if office.cep else '')
             if p]
    return PublicInfo(
        name=office.trade_name or office.legal_name or brand.name,
        legal_name=office.legal_name or office.trade_name or brand.name,
        document=formatting.document(office.document), address=' - '.join(parts), city_uf=city_uf,
        phone=formatting.phone(office.phone), email=office.email, accountant_name=office.accountant_name,
        crc=crc_label(office), logo_path=brand.logo_path)


def crc_label(office: Office) -> str:
    if not office.crc_number:
        return ''
    return f'CRC-{office.crc_uf} {office.crc_number}' if office.crc_uf else f'CRC {office.crc_number}'


def boleto_settings_missing(office: Office) -> list[str]:
    """What Meus Dados lacks to issue a boleto with the office's bank, in Portuguese ([] when complete)."""
    missing = [label for key, label in (('legal_name', _MISSING_LABELS['legal_name']),
                                        ('document', _MISSING_LABELS['document']))
               if not (getattr(office, key) or '').strip()]
    bank = (office.bank_code or '').strip()
    if not bank:
        return missing + [_MISSING_LABELS['bank_code']]
    if bank not in _BANK_FIELDS:
        return missing + [f'um banco com boleto disponível ({", ".join(boleto.SUPPORTED_BANKS.values())})']
    needed = list(_BANK_FIELDS[bank])
    if bank == '001' and len(re.sub(r'\D', '', office.convenio or '')) in (4, 6):
        needed += ['agencia', 'conta']  # BB's older convênios put agência and conta in the barcode
    return missing + [_MISSING_LABELS[k] for k in needed if not (getattr(office, k) or '').strip()]


# What Meus Dados must hold before the office looks finished to its clients (documents, e-mails, the portal)
ESSENTIALS: tuple[tuple[tuple[str, ...], str], ...] = ((('legal_name',), 'razão social'), (('document',), 'CNPJ'),
                                                       (('street', 'city', 'uf'), 'endereço'))


def registration_missing(office: Office) -> list[str]:
    """The essentials Meus Dados still lacks (labels in Portuguese; [] when complete)."""
    return [label for keys, label in ESSENTIALS if any(not (getattr(office, k) or '').strip() for k in keys)]


def completion_prompt(actor: Actor) -> list[str]:
    """For someone who may complete Meus Dados: what it still lacks (the home page asks for it); [] for everyone
    else, and once it is complete. An office created with `conton create-admin` starts with a name only."""
    if actor.is_client or not actor.can('office', 'write'):
        return []
    with unit(actor) as session:
        return registration_missing(session.get(Office, 1) or Office(id=1))


def bank_label(code: str) -> str:
    return f'{code} - {BANKS[code]}' if code in BANKS else code


# --- changing ----------------------------------------------------------------------------------------------------

def update_registration(actor: Actor, **fields: Any) -> Office:
    """Dados cadastrais: razão social, nome fantasia, CNPJ or CPF, inscrição municipal, address, phone, e-mail."""
    return _update(actor, REGISTRATION_FIELDS, clean_registration, fields, 'dados cadastrais')


def update_boleto(actor: Actor, **fields: Any) -> Office:
    """Boletos: bank, agência, conta, carteira, código do beneficiário, PIX key, instructions, multa and juros."""
    return _update(actor, BOLETO_FIELDS, clean_boleto, fields, 'boletos')


def update_accountant(actor: Actor, **fields: Any) -> Office:
    """Contador: the accountant responsible (name, CPF, CRC number and UF)."""
    return _update(actor, ACCOUNTANT_FIELDS, clean_accountant, fields, 'contador')


def set_logo(actor: Actor, stored: storage.Stored) -> Office:
    """Make an uploaded image (already checked by content and size in storage.save_upload) the office's logo; the
    old file is removed. On any refusal the uploaded file is removed too: nothing is kept."""
    try:
        require(actor, 'office', 'write')
        if stored.folder != LOGO_FOLDER or stored.mime not in storage.IMAGES or stored.size > LOGO_MAX_BYTES:
            raise ValidationError('Envie uma imagem PNG, JPEG ou WebP de até 2 MB.', 'file')
        _check_image(stored.path)
        with unit(actor) as session:
            office = ensure(session)
            old = office.logo_file
            office.logo_file, office.logo_mime = stored.name, stored.mime
            office.updated_at = now()
            audit.record(session, actor, 'update', 'office', 1,
                         f'logotipo: {stored.original_name} ({stored.size} bytes, {storage.MIME_LABELS[stored.mime]})')
    except BaseException:
        storage.remove(stored.folder, stored.name)
        raise
    if old and old != stored.name:
        storage.remove(LOGO_FOLDER, old)
    reset_cache()
    return office


def remove_logo(actor: Actor) -> None:
    require(actor, 'office', 'write')
    with unit(actor) as session:
        office = ensure(session)
        old = office.logo_file
        if not old:
            return
        office.logo_file = office.logo_mime = ''
        office.updated_at = now()
        audit.record(session, actor, 'update', 'office', 1, 'logotipo removido')
    storage.remove(LOGO_FOLDER, old)
    reset_cache()


# --- rules -------------------------------------------------------------------------------------------------------

def clean_registration(raw: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    validation.collect(
        _put(out, 'legal_name', lambda: validation.text(raw.get('legal_name'), 'legal_name', 'a razão social',
                                                        required=True)),
        _put(out, 'trade_name', lambda: validation.text(raw.get('trade_name'), 'trade_name', 'o nome fantasia')),
        _put(out, 'document', lambda: validation.document(raw.get('document'), None, 'document', required=False)),
        _put(out, 'municipal_registration', lambda: _code(raw.get('municipal_registration'), 'municipal_registration',
                                                          30, 'A inscrição municipal')),
        _put(out, 'cep', lambda: validation.cep(raw.get('cep'))),
        _put(out, 'street', lambda: validation.text(raw.get('street'), 'street', 'o logradouro')),
        _put(out, 'number', lambda: validation.text(raw.get('number'), 'number', 'o número', max_len=20)),
        _put(out, 'complement', lambda: validation.text(raw.get('complement'), 'complement', 'o complemento',
                                                        max_len=100)),
        _put(out, 'district', lambda: validation.text(raw.get('district'), 'district', 'o bairro', max_len=100)),
        _put(out, 'city', lambda: validation.text(raw.get('city'), 'city', 'a cidade', max_len=100)),
        _put(out, 'uf', lambda: validation.uf(raw.get('uf'))),
        _put(out, 'phone', lambda: validation.phone(raw.get('phone'))),
        _put(out, 'email', lambda: validation.email(raw.get('email'), required=False)),
    )
    return out


def clean_boleto(raw: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    bank = str(raw.get('bank_code') or '').strip()

    def check_bank() -> None:
        if bank and bank not in BANKS:
            raise ValidationError('Escolha o banco na lista.', 'bank_code')
        out['bank_code'] = bank

    def check_pix() -> None:
        key = str(raw.get('pix_key') or '').strip()
        if not key:
            out['pix_key'], out['pix_key_type'] = '', ''
            return
        try:
            kind, normalised = pix.validate_key(key)
        except ValueError as e:
            raise ValidationError(_pix_message(str(e)), 'pix_key') from e
        out['pix_key'], out['pix_key_type'] = normalised, kind

    def check_instructions() -> None:
        text = validation.text(raw.get('instructions'), 'instructions', 'as instruções', max_len=600, multiline=True)
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if len(lines) > 3:
            raise ValidationError('No máximo 3 linhas de instruções (é o espaço do boleto).', 'instructions')
        if any(len(line) > 100 for line in lines):
            raise ValidationError('Cada linha de instrução pode ter até 100 caracteres.', 'instructions')
        out['instructions'] = '\n'.join(lines)

    validation.collect(
        check_bank,
        _put(out, 'agencia', lambda: _digits(raw.get('agencia'), 'agencia', 'A agência', 5, dv=True)),
        _put(out, 'conta', lambda: _digits(raw.get('conta'), 'conta', 'A conta', 12)),
        _put(out, 'conta_dv', lambda: _account_dv(raw.get('conta_dv'))),
        _put(out, 'carteira', lambda: _carteira(raw.get('carteira'))),
        _put(out, 'convenio', lambda: _digits(raw.get('convenio'), 'convenio', 'O código do beneficiário', 20)),
        check_pix,
        check_instructions,
        _put(out, 'fine_bp', lambda: parse_percent(raw.get('fine'), 'fine', FINE_MAX_BP, 'A multa')),
        _put(out, 'interest_bp_month', lambda: parse_percent(raw.get('interest'), 'interest', INTEREST_MAX_BP,
                                                             'Os juros')),
    )
    _check_bank_layout(out)
    return out


def clean_accountant(raw: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}

    def check_crc() -> None:
        value = re.sub(r'\s+', ' ', str(raw.get('crc_number') or '').strip()).upper()
        if len(value) > 20:
            raise ValidationError('Máximo de 20 caracteres.', 'crc_number')
        if value and not re.fullmatch(r'[0-9A-Z][0-9A-Z./\- ]*', value):
            raise ValidationError('Número do CRC inválido: use letras, números, ponto, barra e traço '
                                  '(por exemplo 1SP123456/O-8).', 'crc_number')
        out['crc_number'] = value

    validation.collect(
        _put(out, 'accountant_name', lambda: validation.text(raw.get('accountant_name'), 'accountant_name',
                                                             'o nome do contador', max_len=120)),
        _put(out, 'accountant_cpf', lambda: validation.document(raw.get('accountant_cpf'), 'PF', 'accountant_cpf',
                                                                required=False)),
        check_crc,
        _put(out, 'crc_uf', lambda: validation.uf(raw.get('crc_uf'), 'crc_uf')),
    )
    if out['crc_number'] and not out['crc_uf']:
        raise ValidationError('Informe a UF do CRC.', 'crc_uf')
    return out


def parse_percent(value: Any, field: str, max_bp: int, label: str) -> int:
    """'2,00', '2', '2.5', '1,5 %' -> basis points (200, 200, 250, 150); '' -> 0. `label` names it in a message
    ('A multa', 'Os juros'); a plural label gets a plural verb."""
    verb = 'devem' if label.split()[0].lower() in ('os', 'as') else 'deve'
    per = ' ao mês' if field == 'interest' else ''
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0
    if isinstance(value, int) and not isinstance(value, bool):
        number = Decimal(value)
    else:
        text = str(value).replace('%', '').replace('\xa0', '').replace(' ', '').strip()
        if not re.fullmatch(r'\d{1,3}([.,]\d{1,2})?', text):
            raise ValidationError(f'{label} {verb} ser um percentual como 2,00{per}.', field)
        try:
            number = Decimal(text.replace(',', '.'))
        except InvalidOperation as e:
            raise ValidationError(f'{label} {verb} ser um percentual como 2,00{per}.', field) from e
    bp = int((number * 100).quantize(Decimal('1')))
    if bp < 0 or bp > max_bp:
        raise ValidationError(f'{label} {verb} ficar entre 0 e {max_bp // 100} %{per}.', field)
    return bp


def percent_input(bp: int) -> str:
    """Basis points -> '2,00' for an input field."""
    return formatting.decimal_br(Decimal(bp or 0) / 100)


def _update(actor: Actor, names: tuple[str, ...], clean, fields: dict[str, Any], section: str) -> Office:
    unknown = set(fields) - set(names)
    if unknown:
        raise TypeError(f'unknown office fields: {sorted(unknown)}')
    require(actor, 'office', 'write')
    with unit(actor) as session:
        office = ensure(session)
        current = _current(office, names)
        values = clean(current | fields)
        changed = [LABELS[k] for k, v in values.items() if getattr(office, k) != v]
        if changed:
            for key, value in values.items():
                setattr(office, key, value)
            office.updated_at = now()
            audit.record(session, actor, 'update', 'office', 1, f'Meus Dados ({section}): {", ".join(changed)}')
    if changed:
        reset_cache()
    return office


def _current(office: Office, names: tuple[str, ...]) -> dict[str, Any]:
    """The stored values in the form's terms (percentages as text)."""
    out = {}
    for name in names:
        if name == 'fine':
            out[name] = percent_input(office.fine_bp)
        elif name == 'interest':
            out[name] = percent_input(office.interest_bp_month)
        else:
            out[name] = getattr(office, name)
    return out


def _put(out: dict[str, Any], name: str, check) -> Any:
    return lambda: out.__setitem__(name, check())


def _digits(value: Any, field: str, label: str, max_digits: int, *, dv: bool = False) -> str:
    """Digits only (spaces and dots dropped); with `dv` an optional check digit after a hyphen ('1234-5')."""
    text = re.sub(r'[\s.]', '', str(value or '')).upper()
    if not text:
        return ''
    pattern = rf'\d{{1,{max_digits}}}' + (r'(-[0-9X])?' if dv else '')
    if not re.fullmatch(pattern, text):
        extra = ', com o dígito após o traço se houver (ex.: 1234-5)' if dv else ''
        raise ValidationError(f'{label} deve ter só números, até {max_digits} dígitos{extra}.', field)
    return text


def _account_dv(value: Any) -> str:
    text = str(value or '').strip().upper()
    if text and not re.fullmatch(r'[0-9X]{1,2}', text):
        raise ValidationError('Dígito da conta inválido: 1 ou 2 caracteres (números ou X).', 'conta_dv')
    return text


def _carteira(value: Any) -> str:
    text = re.sub(r'\s', '', str(value or '')).upper()
    if text and not re.fullmatch(r'[0-9A-Z]{1,5}', text):
        raise ValidationError('Carteira inválida: até 5 letras ou números (ex.: 109, 17, RG).', 'carteira')
    return text


def _code(value: Any, field: str, max_len: int, label: str) -> str:
    text = re.sub(r'\s+', ' ', str(value or '').strip()).upper()
    if len(text) > max_len:
        raise ValidationError(f'Máximo de {max_len} caracteres.', field)
    if text and not re.fullmatch(r'[0-9A-Z./\- ]+', text):
        raise ValidationError(f'{label} deve ter só letras, números, ponto, barra e traço.', field)
    return text


def _pix_message(message: str) -> str:
    message = message.strip().rstrip('.')
    return (message[0].upper() + message[1:] + '.') if message else 'Chave PIX inválida.'


def _check_bank_layout(values: dict[str, Any]) -> None:
    """For a bank with boletos, what is filled must fit its barcode layout (told now, not when a boleto fails)."""
    bank = values.get('bank_code', '')
    if bank not in boleto.SUPPORTED_BANKS:
        return
    name = boleto.SUPPORTED_BANKS[bank]
    errors: dict[str, str] = {}
    words = {'agencia': 'A agência', 'conta': 'A conta', 'carteira': 'A carteira',
             'convenio': 'O código do beneficiário'}
    for field, limit in _BANK_LIMITS[bank].items():
        digits = (values.get(field) or '').split('-', 1)[0]
        if field == 'carteira' and digits and not digits.isdigit():
            errors[field] = f'No {name}, a carteira tem só números (até {limit}).'
        elif len(digits) > limit:
            errors[field] = f'{words[field]} tem no máximo {limit} dígitos no {name}.'
    convenio = values.get('convenio') or ''
    if bank == '001' and convenio and len(convenio) not in (4, 6, 7):
        errors['convenio'] = 'No Banco do Brasil, o convênio tem 4, 6 ou 7 dígitos.'
    if bank == '104' and values.get('carteira') and values['carteira'] not in ('RG', 'SR', '1', '2', '14', '24'):
        errors['carteira'] = 'Na Caixa, a carteira é RG (registrada) ou SR (sem registro).'
    if bank == '341' and values.get('carteira') in ('106', '107', '122', '142', '143', '195', '196', '198'):
        errors['carteira'] = 'Esta carteira do Itaú usa um layout especial que o Conton ainda não gera.'
    if errors:
        raise ValidationError(errors)
    if boleto_settings_missing(_as_office(values)):
        return  # incomplete: saved as it is, the tab lists what is still missing
    try:
        boleto.campo_livre(bank, agencia=values.get('agencia', ''), conta=values.get('conta', ''),
                           carteira=values.get('carteira', ''), convenio=values.get('convenio', ''), nosso_numero='1')
    except ValueError as e:
        log.info('bank settings do not fit the layout: %s', e)
        raise ValidationError(f'Agência, conta, carteira e código do beneficiário não conferem com o boleto do '
                              f'{name}. Confira com o seu gerente os dados da carteira de cobrança.',
                              'bank_code') from e


def _as_office(values: dict[str, Any]) -> Office:
    """An unsaved Office with the bank fields (and stand-ins for the registration) to ask what is missing."""
    return Office(legal_name='x', document='x', **{k: values.get(k, '') for k in ('bank_code', 'agencia', 'conta',
                                                                                    'carteira', 'convenio')})


def _check_image(path: Path) -> None:
    """The content must decode as an image (a file that only starts like a PNG is refused)."""
    try:
        from PIL import Image
        with Image.open(path) as img:
            img.verify()
    except Exception as e:  # noqa: BLE001  (any decoder error means: not a usable image)
        raise ValidationError('O arquivo não é uma imagem válida. Envie um PNG, JPEG ou WebP.', 'file') from e
