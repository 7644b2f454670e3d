"""Pagamentos service: new bills (single, installments, recurrence), bad input, baixa and undo, cancel, delete,
filters and totals, attachment rules, CSV and PDF export, permissions."""
from __future__ import annotations

import csv
import io
import subprocess
from datetime import date, datetime, timezone

import pytest
from nicegui.elements.upload_files import SmallFileUpload
from sqlmodel import select

from conton import clock, db
from conton.models import AuditLog, Bill
from conton.services import payables, storage
from conton.services.base import unit
from conton.services.errors import NotFound, PermissionDenied, ValidationError
from conton.services.money import late_fees, monthly_dates, split_installments
from conton.services.payables import BillFilter
from tests.conftest import require_tools
from tests.factories import actor_of, make_client, make_office, make_supplier, make_user

PDF = b'%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n'
PNG = b'\x89PNG\r\n\x1a\n' + b'\x00' * 64

require_tools('pdftotext')


@pytest.fixture
def admin():
    make_office()
    clock.set_now(datetime(2026, 11, 10, 15, 0, tzinfo=timezone.utc))  # 10/11/2026, 12:00 in São Paulo
    return actor_of(make_user('admin'))


def bills() -> list[Bill]:
    with unit() as session:
        return list(session.exec(select(Bill).order_by(Bill.due_date, Bill.installment_no)).all())


# ---- money arithmetic -------------------------------------------------------------------------------------------

def test_split_installments_exact_with_remainder_on_first() -> None:
    assert split_installments(10000, 3) == [3334, 3333, 3333]
    assert split_installments(10000, 1) == [10000]
    assert split_installments(1, 3) == [1, 0, 0]
    for total in (1, 99, 10001, 123457):
        for n in (1, 2, 3, 7, 12):
            parts = split_installments(total, n)
            assert sum(parts) == total and len(parts) == n and max(parts) - min(parts) <= n


@pytest.mark.parametrize('n', [0, -1])
def test_split_installments_refuses_zero(n) -> None:
    with pytest.raises(ValueError):
        split_installments(10000, n)


def test_monthly_dates_keep_the_day() -> None:
    assert monthly_dates(date(2026, 1, 31), 4) == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31),
                                                   date(2026, 4, 30)]
    assert monthly_dates(date(2027, 12, 29), 3) == [date(2027, 12, 29), date(2028, 1, 29), date(2028, 2, 29)]


def test_late_fees() -> None:
    fees = late_fees(100000, date(2026, 1, 10), date(2026, 1, 25), fine_bp=200, interest_bp_month=100)
    assert (fees.fine_cents, fees.interest_cents, fees.days_late) == (2000, 500, 15)
    assert late_fees(100000, date(2026, 1, 10), date(2026, 1, 10), 200, 100).total_cents == 0


# ---- create --------------------------------------------------------------------------------------------------------

def test_create_single_bill_with_supplier_category(admin) -> None:
    supplier = make_supplier('Imobiliária Central', category='Aluguel')
    ids = payables.create(admin, supplier_id=str(supplier.id), description='Aluguel novembro', amount='1.500,00',
                          due_date='15/11/2026')
    assert len(ids) == 1
    [bill] = bills()
    assert (bill.amount_cents, bill.due_date, bill.category, bill.status) == (150000, date(2026, 11, 15), 'Aluguel',
                                                                                'aberto')
    assert bill.group_id is None and bill.issue_date == date(2026, 11, 10)
    with unit() as session:
        assert session.exec(select(AuditLog).where(AuditLog.entity == 'bill', AuditLog.action == 'create')).first()


def test_installments_split_exactly(admin) -> None:
    payables.create(admin, description='Computadores', amount='100,00', due_date='2026-11-30', repeat='parcelas',
                    installments=3)
    rows = bills()
    assert [b.amount_cents for b in rows] == [3334, 3333, 3333]
    assert [b.due_date for b in rows] == [date(2026, 11, 30), date(2026, 12, 30), date(2027, 1, 30)]
    assert {b.group_id for b in rows} != {None} and len({b.group_id for b in rows}) == 1
    assert [(b.installment_no, b.installment_count) for b in rows] == [(1, 3), (2, 3), (3, 3)]
    page = payables.search(admin, BillFilter())
    assert [r.parcel for r in page.rows] == ['1/3', '2/3', '3/3']


def test_monthly_recurrence_creates_a_year_and_extends(admin) -> None:
    payables.create(admin, description='Internet', amount='199,90', due_date='31/01/2027', repeat='mensal')
    rows = bills()
    assert len(rows) == 12 and all(b.amount_cents == 19990 and b.recurrence == 'mensal' for b in rows)
    assert rows[1].due_date == date(2027, 2, 28) and rows[2].due_date == date(2027, 3, 31)
    assert rows[-1].due_date == date(2027, 12, 31)
    assert payables.extend_recurrences(date(2026, 11, 10)) == 0  # already 12 months ahead
    # a year later the series is topped up to keep 12 months ahead, numbering on
    assert payables.extend_recurrences(date(2027, 3, 5)) == 2
    rows = bills()
    assert len(rows) == 14 and rows[-1].due_date == date(2028, 2, 29) and rows[-1].installment_no == 14
    assert {b.installment_count for b in rows} == {14}
    assert payables.extend_recurrences(date(2027, 3, 5)) == 0  # idempotent


def test_recurrence_deleted_occurrence_is_not_recreated_and_following_ends_it(admin) -> None:
    payables.create(admin, description='Software', amount='50,00', due_date='10/12/2026', repeat='mensal')
    rows = bills()
    payables.delete(admin, [rows[-1].id], 'only')  # the 12th month alone
    assert payables.extend_recurrences(date(2026, 11, 10)) == 0
    assert len(bills()) == 11
    payables.delete(admin, [rows[5].id], 'following')  # the 6th month and the later ones: ends the series
    remaining = bills()
    assert len(remaining) == 5 and all(b.recurrence == '' for b in remaining)
    assert payables.extend_recurrences(date(2027, 8, 1)) == 0


@pytest.mark.parametrize(('fields', 'field', 'message'), [
    ({'amount': '-10,00'}, 'amount', 'negativo'),
    ({'amount': '0,00'}, 'amount', 'maior que zero'),
    ({'amount': 'abc'}, 'amount', 'inválido'),
    ({'amount': ''}, 'amount', 'Informe o valor'),
    ({'description': '  '}, 'description', 'Informe a descrição'),
    ({'due_date': ''}, 'due_date', 'Informe o vencimento'),
    ({'due_date': '31/02/2026'}, 'due_date', 'Data inválida'),
    ({'repeat': 'parcelas', 'installments': 0}, 'installments', 'Informe ao menos 1 parcela'),
    ({'repeat': 'parcelas', 'installments': ''}, 'installments', 'Informe ao menos 1 parcela'),
    ({'repeat': 'parcelas', 'installments': 500}, 'installments', 'No máximo'),
    ({'supplier_id': 'not-a-uuid'}, 'supplier_id', 'Fornecedor não encontrado'),
])
def test_create_refuses_bad_input(admin, fields, field, message) -> None:
    values = {'description': 'Conta', 'amount': '100,00', 'due_date': '20/11/2026'} | fields
    with pytest.raises(ValidationError) as e:
        payables.create(admin, **values)
    assert message in e.value.errors[field]
    assert bills() == []


def test_create_reports_every_bad_field_at_once(admin) -> None:
    with pytest.raises(ValidationError) as e:
        payables.create(admin, description='', amount='-1', due_date='', repeat='parcelas', installments=0)
    assert set(e.value.errors) == {'description', 'amount', 'due_date', 'installments'}


# ---- baixa, undo, cancel ----------------------------------------------------------------------------------------

def test_pay_computes_amount_and_undo(admin) -> None:
    [bill_id] = payables.create(admin, description='Energia', amount='300,00', due_date='05/11/2026',
                                issue_date='01/11/2026')
    payables.pay(admin, bill_id, paid_date='08/11/2026', discount='10,00', addition='6,50')
    [bill] = bills()
    assert (bill.status, bill.paid_date, bill.paid_cents) == ('pago', date(2026, 11, 8), 29650)
    assert (bill.discount_cents, bill.addition_cents) == (1000, 650)
    with pytest.raises(ValidationError, match='já foi paga'):
        payables.pay(admin, bill_id, paid_date='08/11/2026')
    payables.undo_payment(admin, bill_id)
    [bill] = bills()
    assert (bill.status, bill.paid_date, bill.paid_cents, bill.discount_cents) == ('aberto', None, None, 0)
    payables.pay(admin, bill_id, paid_date='2026-11-10', paid='280,00')  # edited amount paid
    assert bills()[0].paid_cents == 28000
    with unit() as session:
        actions = session.exec(select(AuditLog.action).where(AuditLog.entity == 'bill')).all()
    assert {'payment', 'undo_payment'} <= set(actions)


@pytest.mark.parametrize(('fields', 'field', 'message'), [
    ({'paid_date': '11/11/2026'}, 'paid_date', 'futuro'),
    ({'paid_date': '31/10/2026'}, 'paid_date', 'anterior à emissão (01/11/2026)'),
    ({'paid_date': ''}, 'paid_date', 'Informe a data do pagamento'),
    ({'discount': '-1,00'}, 'discount', 'negativo'),
    ({'addition': '-1,00'}, 'addition', 'negativo'),
    ({'paid': '-5,00'}, 'paid', 'negativo'),
    ({'discount': '500,00'}, 'discount', 'maior que o valor'),
])
def test_pay_refuses_bad_input(admin, fields, field, message) -> None:
    [bill_id] = payables.create(admin, description='Energia', amount='300,00', due_date='05/11/2026',
                                issue_date='01/11/2026')
    with pytest.raises(ValidationError) as e:
        payables.pay(admin, bill_id, **({'paid_date': '05/11/2026'} | fields))
    assert message in e.value.errors[field]
    assert bills()[0].status == 'aberto'


def test_cancel_and_reopen(admin) -> None:
    [bill_id] = payables.create(admin, description='Curso', amount='90,00', due_date='20/11/2026')
    payables.cancel(admin, bill_id)
    assert bills()[0].status == 'cancelado'
    with pytest.raises(ValidationError):
        payables.pay(admin, bill_id, paid_date='10/11/2026')
    with pytest.raises(ValidationError):
        payables.update(admin, bill_id, description='x', amount='1,00', due_date='20/11/2026')
    payables.reopen(admin, bill_id)
    assert bills()[0].status == 'aberto'


def test_update_bill(admin) -> None:
    supplier = make_supplier('Gráfica Rápida')
    [bill_id] = payables.create(admin, description='Cartões', amount='80,00', due_date='20/11/2026')
    payables.update(admin, bill_id, description='Cartões de visita', amount='85,00', due_date='22/11/2026',
                    supplier_id=str(supplier.id), category='Material')
    row = payables.get(admin, bill_id)
    assert (row.description, row.amount_cents, row.due_date, row.supplier_name, row.category) == \
        ('Cartões de visita', 8500, date(2026, 11, 22), 'Gráfica Rápida', 'Material')
    with pytest.raises(ValidationError) as e:
        payables.update(admin, bill_id, description='x', amount='0', due_date='22/11/2026')
    assert 'amount' in e.value.errors


# ---- delete --------------------------------------------------------------------------------------------------------

def test_delete_one_installment_or_the_group(admin) -> None:
    payables.create(admin, description='Móveis', amount='900,00', due_date='30/11/2026', installments=3)
    payables.create(admin, description='Avulsa', amount='10,00', due_date='30/11/2026')
    rows = [b for b in bills() if b.description == 'Móveis']
    assert payables.delete(admin, [rows[1].id], 'only') == 1
    assert [b.installment_no for b in bills() if b.description == 'Móveis'] == [1, 3]
    assert payables.delete(admin, [rows[0].id], 'group') == 2
    assert [b.description for b in bills()] == ['Avulsa']


def test_delete_several_selected(admin) -> None:
    ids = [payables.create(admin, description=f'Conta {i}', amount='10,00', due_date='20/11/2026')[0]
           for i in range(4)]
    assert payables.delete(admin, ids[:3]) == 3
    assert [b.description for b in bills()] == ['Conta 3']
    with pytest.raises(NotFound):
        payables.delete(admin, ids[:1])
    assert [r.description for r in payables.get_many(admin, [ids[3]])] == ['Conta 3']
    with pytest.raises(NotFound):
        payables.get_many(admin, ids[2:])
    with pytest.raises(ValidationError):
        payables.delete(admin, [])


# ---- list, filters, totals ----------------------------------------------------------------------------------------

def seed_list(admin):
    acme = make_supplier('Acme Papelaria', document='11222333000181')
    luz = make_supplier('Companhia de Luz')
    a = payables.create(admin, supplier_id=acme.id, description='Papel A4', amount='100,00', due_date='05/11/2026',
                        issue_date='01/10/2026')[0]  # overdue
    payables.create(admin, supplier_id=acme.id, description='Canetas', amount='20,00', due_date='25/11/2026')
    b = payables.create(admin, supplier_id=luz.id, description='Energia', amount='300,00', due_date='08/11/2026',
                        issue_date='01/11/2026')[0]
    payables.pay(admin, b, paid_date='09/11/2026', addition='5,00')
    c = payables.create(admin, supplier_id=luz.id, description='Energia dez', amount='310,00',
                        due_date='08/12/2026')[0]
    payables.cancel(admin, c)
    payables.create(admin, description='IPTU', amount='50,00', due_date='15/10/2026', issue_date='01/10/2026')
    return a


def test_default_view_is_current_month_and_totals_match(admin) -> None:
    seed_list(admin)
    page = payables.search(admin)
    assert page.filter.start == date(2026, 11, 1) and page.filter.end == date(2026, 11, 30)
    assert [r.description for r in page.rows] == ['Papel A4', 'Energia', 'Canetas']
    assert [r.status for r in page.rows] == ['vencido', 'pago', 'aberto']
    assert (page.total, page.amount_cents, page.paid_cents, page.open_cents) == (3, 42000, 30500, 12000)


@pytest.mark.parametrize(('filt', 'expected'), [
    (BillFilter(status='vencido'), ['IPTU', 'Papel A4']),
    (BillFilter(status='pendente'), ['Canetas']),
    (BillFilter(status='aberto'), ['IPTU', 'Papel A4', 'Canetas']),
    (BillFilter(status='pago'), ['Energia']),
    (BillFilter(status='cancelado'), ['Energia dez']),
    (BillFilter(supplier='acme'), ['Papel A4', 'Canetas']),
    (BillFilter(supplier='11.222.333/0001-81'), ['Papel A4', 'Canetas']),
    (BillFilter(supplier='11222333'), ['Papel A4', 'Canetas']),
    (BillFilter(supplier='LUZ'), ['Energia', 'Energia dez']),
    (BillFilter(supplier='companhia  DE luz'), ['Energia', 'Energia dez']),
    (BillFilter(supplier='papelária'), ['Papel A4', 'Canetas']),  # accent-blind
    (BillFilter(date_field='pagamento', start=date(2026, 11, 9), end=date(2026, 11, 9)), ['Energia']),
    (BillFilter(start=date(2026, 12, 1)), ['Energia dez']),
    (BillFilter(end=date(2026, 10, 31)), ['IPTU']),
])
def test_filters(admin, filt, expected) -> None:
    seed_list(admin)
    page = payables.search(admin, filt)
    assert [r.description for r in page.rows] == expected
    assert page.total == len(expected)
    assert page.amount_cents == sum(r.amount_cents for r in page.rows)


def test_pagination_and_totals_cover_every_page(admin) -> None:
    for i in range(7):
        payables.create(admin, description=f'Conta {i:02d}', amount=f'{i + 1},00', due_date=f'{i + 10}/11/2026')
    first = payables.search(admin, BillFilter(), page=1, per_page=3)
    last = payables.search(admin, BillFilter(), page=3, per_page=3)
    assert [r.description for r in first.rows] == ['Conta 00', 'Conta 01', 'Conta 02']
    assert [r.description for r in last.rows] == ['Conta 06']
    assert first.total == last.total == 7 and first.amount_cents == 2800
    assert payables.search(admin, BillFilter(), page=99, per_page=3).page == 3


def test_search_is_a_few_queries(admin) -> None:
    seed_list(admin)
    before = db.query_counter['n']
    payables.search(admin, BillFilter())
    assert db.query_counter['n'] - before <= 1 + 3  # the login's re-check (services/base.py), then the search


# ---- export ----------------------------------------------------------------------------------------------------------

def test_csv_export(admin) -> None:
    seed_list(admin)
    payables.create(admin, description='=HYPERLINK("x")', amount='1.234,56', due_date='20/11/2026')
    data = payables.export_csv(admin, BillFilter.current_month())
    assert data.startswith('\ufeff'.encode())
    rows = list(csv.reader(io.StringIO(data.decode('utf-8-sig')), delimiter=';'))
    assert rows[0] == payables.EXPORT_COLUMNS
    assert len(rows) == 5
    energia = next(r for r in rows if r[1] == 'Energia')
    assert energia[0] == '08/11/2026' and energia[3] == 'Companhia de Luz'
    assert energia[6] == '300,00' and energia[7] == 'Pago' and energia[8] == '09/11/2026'
    assert energia[10] == '5,00' and energia[11] == '305,00'
    papel = next(r for r in rows if r[1] == 'Papel A4')
    assert papel[4] == '11.222.333/0001-81' and papel[7] == 'Vencido'
    big = next(r for r in rows if 'HYPERLINK' in r[1])
    assert big[1].startswith("'=") and big[6] == '1234,56'


def test_pdf_export_lists_the_bills(admin, tmp_path) -> None:
    seed_list(admin)
    data = payables.export_pdf(admin, BillFilter.current_month())
    assert data.startswith(b'%PDF')
    path = tmp_path / 'lista.pdf'
    path.write_bytes(data)
    text = subprocess.run(['pdftotext', '-layout', str(path), '-'], capture_output=True, text=True,
                          check=True).stdout
    assert 'Contas a pagar' in text and 'Papel A4' in text and 'Canetas' in text
    assert 'IPTU' not in text  # outside the filter


# ---- attachment ----------------------------------------------------------------------------------------------------

async def test_attachment_pdf_saved_and_downloaded(admin) -> None:
    stored = await payables.save_attachment(admin, SmallFileUpload('boleto.pdf', 'application/pdf', PDF))
    [bill_id] = payables.create(admin, description='Contador', amount='10,00', due_date='20/11/2026',
                                attachment=stored)
    name, mime, data = payables.attachment(admin, bill_id)
    assert (name, mime, data) == ('boleto.pdf', 'application/pdf', PDF)
    assert payables.get(admin, bill_id).has_attachment
    payables.delete(admin, [bill_id])
    assert not stored.path.exists()


async def test_attachment_shared_by_installments_survives_deleting_one(admin) -> None:
    stored = await payables.save_attachment(admin, SmallFileUpload('nota.png', 'image/png', PNG))
    ids = payables.create(admin, description='Notebook', amount='3.000,00', due_date='20/11/2026', installments=2,
                          attachment=stored)
    payables.delete(admin, ids[:1])
    assert stored.path.exists()
    payables.delete(admin, ids[1:])
    assert not stored.path.exists()


async def test_attachment_refused_by_content_or_size(admin) -> None:
    with pytest.raises(ValidationError, match='Tipo de arquivo não aceito') as e:
        await payables.save_attachment(admin, SmallFileUpload('boleto.pdf', 'application/pdf', b'MZ\x90\x00 exe'))
    assert 'file' in e.value.errors
    big = PDF + b'0' * (10 * 1024 * 1024)
    with pytest.raises(ValidationError, match='10 MB'):
        await payables.save_attachment(admin, SmallFileUpload('grande.pdf', 'application/pdf', big))
    assert not [p for p in storage.folder_path('bills').iterdir()]


def test_supplier_options_search(admin) -> None:
    make_supplier('Água e Esgoto São João', document='11222333000181')
    make_supplier('Gráfica Rápida')
    make_supplier('Inativa Ltda', active=False)
    options = payables.supplier_options(admin)
    assert list(options.values())[0] == 'Água e Esgoto São João — 11.222.333/0001-81'
    assert len(options) == 2
    assert list(payables.supplier_options(admin, 'sao joao').values()) == \
        ['Água e Esgoto São João — 11.222.333/0001-81']
    assert len(payables.supplier_options(admin, '11.222.333')) == 1
    assert payables.supplier_options(admin, 'nada disso') == {}


def test_attachment_missing(admin) -> None:
    [bill_id] = payables.create(admin, description='Sem anexo', amount='10,00', due_date='20/11/2026')
    with pytest.raises(NotFound):
        payables.attachment(admin, bill_id)


# ---- permissions ---------------------------------------------------------------------------------------------------

async def test_permissions(admin) -> None:
    [bill_id] = payables.create(admin, description='Aluguel', amount='10,00', due_date='20/11/2026')
    nobody = actor_of(make_user('staff', permissions={'receivables': 'write'}))
    reader = actor_of(make_user('staff', permissions={'payables': 'read'}))
    writer = actor_of(make_user('staff', permissions={'payables': 'write'}))
    client = actor_of(make_user('client', client=make_client()))
    filt = BillFilter()
    upload = SmallFileUpload('a.pdf', 'application/pdf', PDF)
    writes = [
        lambda a: payables.create(a, description='x', amount='1,00', due_date='20/11/2026'),
        lambda a: payables.update(a, bill_id, description='x', amount='1,00', due_date='20/11/2026'),
        lambda a: payables.pay(a, bill_id, paid_date='10/11/2026'),
        lambda a: payables.undo_payment(a, bill_id),
        lambda a: payables.cancel(a, bill_id),
        lambda a: payables.reopen(a, bill_id),
        lambda a: payables.delete(a, [bill_id]),
        lambda a: payables.set_attachment(a, bill_id, None),
        lambda a: payables.discard_attachment(a, None),
    ]
    reads = [
        lambda a: payables.search(a, filt),
        lambda a: payables.get(a, bill_id),
        lambda a: payables.get_many(a, [bill_id]),
        lambda a: payables.export_csv(a, filt),
        lambda a: payables.export_pdf(a, filt),
        lambda a: payables.attachment(a, bill_id),
        lambda a: payables.supplier_options(a),
        lambda a: payables.categories(a),
    ]
    for actor in (nobody, client):
        for call in reads + writes:
            with pytest.raises(PermissionDenied):
                call(actor)
        with pytest.raises(PermissionDenied):
            await payables.save_attachment(actor, upload)
    for call in writes:
        with pytest.raises(PermissionDenied):
            call(reader)
    with pytest.raises(PermissionDenied):
        await payables.save_attachment(reader, upload)
    assert payables.search(reader, filt).total == 1
    assert payables.get(reader, bill_id).description == 'Aluguel'
    payables.pay(writer, bill_id, paid_date='10/11/2026')
    assert bills()[0].status == 'pago'
