"""Meus Dados: every field's validation, the logo (checked by content, size, replaced), boleto settings, permissions."""
import io

import pytest
from PIL import Image
from sqlmodel import select

from conton.models import AuditLog, Office
from conton.services import office, storage
from conton.services.base import unit
from conton.services.errors import PermissionDenied, ValidationError
from tests import vectors
from tests.factories import actor_of, cnpj, make_client, make_office, make_user

VECTORS = vectors.load('documents')
REGISTRATION = dict(legal_name='Contabilidade Modelo Ltda', trade_name='Contábil Modelo', document='11.222.333/0001-81',
                    municipal_registration='123.456-7', cep='50050-000', street='Rua do Sol', number='100',
                    complement='sala 2', district='Boa Vista', city='Recife', uf='pe', phone='(81) 3333-4444',
                    email='Contato@Modelo.test')
ITAU = dict(bank_code='341', agencia='1234', conta='12345', conta_dv='6', carteira='109', convenio='',
            pix_key='financeiro@modelo.test', instructions='Não receber após 30 dias.', fine='2,00', interest='1,00')


@pytest.fixture
def admin():
    make_office()
    return actor_of(make_user('admin'))


def stored_office() -> Office:
    with unit() as session:
        return session.get(Office, 1)


def errors_of(call) -> dict[str, str]:
    with pytest.raises(ValidationError) as e:
        call()
    return e.value.errors


def png(size: tuple[int, int] = (8, 8), color: str = 'red') -> bytes:
    out = io.BytesIO()
    Image.new('RGB', size, color).save(out, format='PNG')
    return out.getvalue()


async def upload(data: bytes, name: str = 'logo.png') -> storage.Stored:
    return await storage.save_bytes(data, original_name=name, folder='logo', max_bytes=office.LOGO_MAX_BYTES,
                                    allowed=storage.IMAGES)


def logo_files() -> list[str]:
    return sorted(p.name for p in office.logo_dir().iterdir())


# --- Dados cadastrais --------------------------------------------------------------------------------------------

def test_registration_saved_normalised_audited_and_header_name_updated(admin) -> None:
    assert office.branding().name == 'Escritório Modelo'
    office.update_registration(admin, **REGISTRATION)
    row = stored_office()
    assert (row.document, row.cep, row.uf, row.email, row.municipal_registration) == \
        ('11222333000181', '50050000', 'PE', 'contato@modelo.test', '123.456-7')
    assert office.branding().name == 'Contábil Modelo'
    with unit() as session:
        log = session.exec(select(AuditLog).where(AuditLog.entity == 'office')).all()
    assert len(log) == 1 and 'nome fantasia' in log[0].detail and 'CNPJ/CPF' in log[0].detail
    office.update_registration(admin, **REGISTRATION)  # nothing changed: no audit row
    with unit() as session:
        assert len(session.exec(select(AuditLog).where(AuditLog.entity == 'office')).all()) == 1


def test_registration_reports_every_bad_field_at_once_and_saves_nothing(admin) -> None:
    errors = errors_of(lambda: office.update_registration(
        admin, legal_name='  ', trade_name='x' * 201, document='11.222.333/0001-82', municipal_registration='12#4',
        cep='5005-000', street='Rua', number='1', complement='', district='', city='Recife', uf='XX', phone='3333',
        email='contato@'))
    assert errors == {
        'legal_name': 'Informe a razão social.', 'trade_name': 'Máximo de 200 caracteres.',
        'document': 'CNPJ inválido. Confira os dígitos.',
        'municipal_registration': 'A inscrição municipal deve ter só letras, números, ponto, barra e traço.',
        'cep': 'CEP inválido: são 8 dígitos.', 'uf': 'UF inválida.',
        'phone': 'Telefone inválido: informe DDD e número.', 'email': 'E-mail inválido.'}
    assert stored_office().legal_name == 'Escritório Modelo' and stored_office().city == ''


@pytest.mark.parametrize('value', VECTORS['cnpj_valid'] + VECTORS['cpf_valid'])
def test_registration_accepts_valid_cnpj_and_cpf(admin, value: str) -> None:
    office.update_registration(admin, legal_name='Escritório', document=value.lower())
    assert stored_office().document == ''.join(c for c in value if c.isalnum()).upper()


@pytest.mark.parametrize('value', VECTORS['cnpj_invalid'] + VECTORS['cpf_invalid'] + ['123', '12.ABC.345/01DE-3X'])
def test_registration_refuses_invalid_cnpj_and_cpf(admin, value: str) -> None:
    errors = errors_of(lambda: office.update_registration(admin, legal_name='Escritório', document=value))
    assert set(errors) == {'document'} and 'inválido' in errors['document']


def test_only_known_fields(admin) -> None:
    with pytest.raises(TypeError):
        office.update_registration(admin, logo_file='../../etc/passwd')
    with pytest.raises(TypeError):
        office.update_boleto(admin, next_nosso_numero=1)


# --- Boletos -----------------------------------------------------------------------------------------------------

def test_boleto_settings_saved_with_percent_in_basis_points_and_pix_kind(admin) -> None:
    office.update_boleto(admin, **(ITAU | {'pix_key': 'Financeiro@Modelo.TEST', 'fine': '2,5', 'interest': '0,33'}))
    row = stored_office()
    assert (row.bank_code, row.agencia, row.conta, row.conta_dv, row.carteira) == ('341', '1234', '12345', '6', '109')
    assert (row.pix_key, row.pix_key_type) == ('financeiro@modelo.test', 'email')
    assert (row.fine_bp, row.interest_bp_month) == (250, 33)
    assert row.instructions == 'Não receber após 30 dias.'


@pytest.mark.parametrize(('text', 'bp'), [('2,00', 200), ('2', 200), ('1,5', 150), ('2.5', 250), ('0,01', 1),
                                          ('20,00', 2000), ('3 %', 300), ('', 0), (None, 0)])
def test_multa_parsing(admin, text, bp) -> None:
    office.update_boleto(admin, fine=text)
    assert stored_office().fine_bp == bp


@pytest.mark.parametrize('text', ['20,01', '25', '-1', 'abc', '2,345', '1.000,00'])
def test_multa_refused_outside_0_to_20_percent_or_malformed(admin, text) -> None:
    errors = errors_of(lambda: office.update_boleto(admin, fine=text))
    assert errors['fine'] in ('A multa deve ficar entre 0 e 20 %.', 'A multa deve ser um percentual como 2,00.')
    assert set(errors) == {'fine'}


def test_juros_limited_to_10_percent_a_month(admin) -> None:
    office.update_boleto(admin, interest='10,00')
    assert stored_office().interest_bp_month == 1000
    assert errors_of(lambda: office.update_boleto(admin, interest='10,01')) == \
        {'interest': 'Os juros devem ficar entre 0 e 10 % ao mês.'}
    assert errors_of(lambda: office.update_boleto(admin, interest='1 ao mês')) == \
        {'interest': 'Os juros devem ser um percentual como 2,00 ao mês.'}


@pytest.mark.parametrize(('key', 'kind', 'stored'), [
    ('529.982.247-25', 'cpf', '52998224725'),
    ('11.222.333/0001-81', 'cnpj', '11222333000181'),
    ('12.abc.345/01de-35', 'cnpj', '12ABC34501DE35'),
    ('+55 (81) 99999-1234', 'telefone', '+5581999991234'),
    ('123E4567-E89B-12D3-A456-426614174000', 'aleatoria', '123e4567-e89b-12d3-a456-426614174000'),
])
def test_pix_key_validated_and_normalised_by_type(admin, key, kind, stored) -> None:
    office.update_boleto(admin, pix_key=key)
    row = stored_office()
    assert (row.pix_key_type, row.pix_key) == (kind, stored)


@pytest.mark.parametrize('key', ['529.982.247-24', 'financeiro@', '+1 555 123 4567', 'qualquer coisa'])
def test_pix_key_refused_with_a_portuguese_message(admin, key) -> None:
    errors = errors_of(lambda: office.update_boleto(admin, pix_key=key))
    assert set(errors) == {'pix_key'} and errors['pix_key'].startswith('Chave PIX inválida')


def test_boleto_fields_all_bad_at_once(admin) -> None:
    errors = errors_of(lambda: office.update_boleto(
        admin, bank_code='999', agencia='12a4', conta='12.34x', conta_dv='123', carteira='1 0 9 !', convenio='abc',
        pix_key='nada', instructions='1\n2\n3\n4', fine='30', interest='x'))
    assert set(errors) == {'bank_code', 'agencia', 'conta', 'conta_dv', 'carteira', 'convenio', 'pix_key',
                           'instructions', 'fine', 'interest'}
    assert errors['bank_code'] == 'Escolha o banco na lista.'
    assert stored_office().bank_code == ''


def test_bank_layout_checked_for_banks_with_boletos(admin) -> None:
    errors = errors_of(lambda: office.update_boleto(admin, **(ITAU | {'conta': '123456', 'agencia': '12345'})))
    assert errors == {'conta': 'A conta tem no máximo 5 dígitos no Itaú.',
                      'agencia': 'A agência tem no máximo 4 dígitos no Itaú.'}
    assert errors_of(lambda: office.update_boleto(admin, bank_code='001', convenio='12345', carteira='17')) == \
        {'convenio': 'No Banco do Brasil, o convênio tem 4, 6 ou 7 dígitos.'}
    assert 'carteira' in errors_of(lambda: office.update_boleto(admin, bank_code='104', convenio='123456',
                                                                carteira='17'))
    office.update_boleto(admin, bank_code='104', convenio='123456', carteira='rg')
    assert stored_office().carteira == 'RG'
    office.update_boleto(admin, bank_code='756', agencia='3069', conta='123456789')  # Sicoob: PIX only, no layout
    assert stored_office().bank_code == '756'


def test_boleto_settings_missing_names_what_is_missing(admin) -> None:
    with unit() as session:
        session.get(Office, 1).legal_name = ''
    assert office.boleto_settings_missing(stored_office()) == \
        ['razão social do escritório', 'CNPJ/CPF do escritório', 'banco']
    office.update_registration(admin, **REGISTRATION)
    office.update_boleto(admin, bank_code='341', agencia='1234')
    assert office.boleto_settings_missing(stored_office()) == ['conta', 'carteira']
    office.update_boleto(admin, **ITAU)
    assert office.boleto_settings_missing(stored_office()) == []
    office.update_boleto(admin, bank_code='001', agencia='', conta='', convenio='123456', carteira='17')
    assert office.boleto_settings_missing(stored_office()) == ['agência', 'conta']  # 6-digit convênio
    office.update_boleto(admin, convenio='1234567')
    assert office.boleto_settings_missing(stored_office()) == []
    office.update_boleto(admin, bank_code='260')
    [only] = office.boleto_settings_missing(stored_office())
    assert only.startswith('um banco com boleto disponível (Banco do Brasil')


# --- Contador ----------------------------------------------------------------------------------------------------

def test_accountant_saved_and_every_bad_field_reported(admin) -> None:
    errors = errors_of(lambda: office.update_accountant(admin, accountant_name='Maria', accountant_cpf='529.982.247-24',
                                                       crc_number='1SP#1', crc_uf='ZZ'))
    assert errors == {'accountant_cpf': 'CPF inválido. Confira os dígitos.',
                      'crc_number': errors['crc_number'], 'crc_uf': 'UF inválida.'}
    assert errors['crc_number'].startswith('Número do CRC inválido')
    assert errors_of(lambda: office.update_accountant(admin, crc_number='1SP123456/O-8')) == \
        {'crc_uf': 'Informe a UF do CRC.'}
    office.update_accountant(admin, accountant_name='Maria Contadora', accountant_cpf='529.982.247-25',
                             crc_number='1sp123456/o-8', crc_uf='sp')
    row = stored_office()
    assert (row.accountant_name, row.accountant_cpf, row.crc_number, row.crc_uf) == \
        ('Maria Contadora', '52998224725', '1SP123456/O-8', 'SP')
    assert errors_of(lambda: office.update_accountant(admin, accountant_cpf='11.222.333/0001-81')) == \
        {'accountant_cpf': 'CPF inválido. Confira os dígitos.'}


def test_public_info_for_documents(admin) -> None:
    office.update_registration(admin, **REGISTRATION)
    office.update_accountant(admin, accountant_name='Maria Contadora', crc_number='1SP123456/O-8', crc_uf='SP')
    info = office.public_info()
    assert info.name == 'Contábil Modelo' and info.legal_name == 'Contabilidade Modelo Ltda'
    assert info.document == '11.222.333/0001-81'
    assert info.address == 'Rua do Sol, 100 sala 2 - Boa Vista - Recife/PE - CEP 50050-000'
    assert (info.city_uf, info.phone, info.email) == ('Recife/PE', '(81) 3333-4444', 'contato@modelo.test')
    assert (info.accountant_name, info.crc) == ('Maria Contadora', 'CRC-SP 1SP123456/O-8')
    assert info.logo_path is None


# --- Logotipo ----------------------------------------------------------------------------------------------------

async def test_logo_accepted_then_replaced_old_file_removed(admin) -> None:
    first = await upload(png(color='red'))
    office.set_logo(admin, first)
    brand = office.branding()
    assert brand.logo_path == first.path and brand.logo_mime == 'image/png' and brand.logo_path.exists()
    assert office.logo_dir() == storage.folder_path('logo')
    second = await upload(png(color='blue'), 'novo.png')
    office.set_logo(admin, second)
    assert logo_files() == [second.name]
    assert office.branding().logo_path == second.path and office.branding().version > brand.version
    office.remove_logo(admin)
    assert logo_files() == [] and not office.branding().has_logo


async def test_logo_refused_when_not_an_image_by_content_even_named_png(admin) -> None:
    with pytest.raises(ValidationError) as e:
        await upload(b'%PDF-1.4 not an image at all', 'logo.png')
    assert e.value.errors['file'].startswith('Tipo de arquivo não aceito. Envie ')
    assert all(kind in e.value.errors['file'] for kind in ('PNG', 'JPEG', 'WebP'))
    with pytest.raises(ValidationError):
        await upload(b'MZ\x90\x00 executable', 'logo.png')
    assert logo_files() == []
    assert stored_office().logo_file == ''


async def test_logo_refused_over_2_mb(admin) -> None:
    big = png() + b'\x00' * (2 * 1024 * 1024)
    with pytest.raises(ValidationError) as e:
        await upload(big)
    assert e.value.errors['file'] == 'Arquivo grande demais: o limite é 2 MB.'
    assert logo_files() == []


async def test_logo_that_only_starts_like_a_png_is_refused_and_not_kept(admin) -> None:
    fake = await upload(b'\x89PNG\r\n\x1a\n' + b'garbage' * 100)
    with pytest.raises(ValidationError) as e:
        office.set_logo(admin, fake)
    assert e.value.errors['file'].startswith('O arquivo não é uma imagem válida')
    assert logo_files() == [] and not office.branding().has_logo


# --- permissions -------------------------------------------------------------------------------------------------

async def test_staff_without_office_permission_cannot_read_or_write(admin) -> None:
    staff = actor_of(make_user('staff', permissions={'clients': 'write'}))
    for call in (lambda: office.get(staff), lambda: office.update_registration(staff, legal_name='X'),
                 lambda: office.update_boleto(staff, fine='1'), lambda: office.update_accountant(staff),
                 lambda: office.remove_logo(staff)):
        with pytest.raises(PermissionDenied):
            call()
    client = actor_of(make_user('client', client=make_client(document=cnpj(4242))))
    with pytest.raises(PermissionDenied):
        office.get(client)


async def test_staff_with_read_can_read_but_not_write(admin) -> None:
    reader = actor_of(make_user('staff', permissions={'office': 'read'}))
    assert office.get(reader).legal_name == 'Escritório Modelo'
    for call in (lambda: office.update_registration(reader, legal_name='Outro Nome'),
                 lambda: office.update_boleto(reader, fine='1'), lambda: office.update_accountant(reader),
                 lambda: office.remove_logo(reader)):
        with pytest.raises(PermissionDenied):
            call()
    stored = await upload(png())
    with pytest.raises(PermissionDenied):
        office.set_logo(reader, stored)
    assert logo_files() == []  # the refused upload is not kept
    assert stored_office().legal_name == 'Escritório Modelo'
