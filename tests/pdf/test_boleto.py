"""PDF rendering, checked with the real tools a bank or a payer would rely on: zbarimg reads the Interleaved 2 of 5
barcode and the PIX QR code from a 300 dpi rendering (poppler's pdftoppm), pdftotext reads the recibo.
`make test` installs the Debian packages zbar-tools and poppler-utils."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image

from conton.services import boleto, pix
from conton.services.extenso import reais
from conton.services.pdf import (
    BoletoDoc,
    ReciboDoc,
    boleto_pdf,
    date_br,
    date_extenso,
    money,
    pix_qr_png,
    recibo_pdf,
    table_pdf,
)
from tests.conftest import require_tools

require_tools('zbarimg', 'pdftoppm', 'pdftotext', 'pdfinfo')


def _zbar(image: Path) -> list[str]:
    result = subprocess.run(
        ['zbarimg', '--raw', '-q', '-Sdisable', '-Si25.enable', '-Sqrcode.enable', str(image)],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    return [line for line in result.stdout.splitlines() if line]


def _page_png(pdf: bytes, folder: Path, dpi: int = 300) -> Path:
    source = folder / 'doc.pdf'
    source.write_bytes(pdf)
    subprocess.run(['pdftoppm', '-r', str(dpi), '-png', '-f', '1', '-l', '1', '-singlefile', str(source),
                    str(folder / 'page')], check=True)
    return folder / 'page.png'


def _text(pdf: bytes, folder: Path) -> str:
    source = folder / 'doc.pdf'
    source.write_bytes(pdf)
    result = subprocess.run(['pdftotext', '-layout', str(source), '-'], capture_output=True, text=True, check=True)
    return result.stdout


def _boleto_doc(**changes) -> BoletoDoc:
    free = boleto.campo_livre('341', agencia='0293', conta='01328', carteira='109', convenio='',
                              nosso_numero='12345678')
    code = boleto.barcode('341', date(2026, 11, 10), 123456, free)
    fields = dict(
        office_name='Contabilidade Exemplo Ltda',
        office_document='11.222.333/0001-81',
        office_address='Rua das Flores, 123 - Centro - São Paulo/SP - CEP 01001-000',
        payer_name='Padaria Pão Quente ME',
        payer_document='33.000.167/0001-01',
        payer_address='Av. Brasil, 1000 - Rio de Janeiro/RJ',
        bank_code='341',
        bank_name='Itaú',
        agencia_codigo='0293 / 01328-0',
        carteira='109',
        nosso_numero='109/12345678-9',
        documento='2026/000123',
        issue_date=date(2026, 11, 1),
        due_date=date(2026, 11, 10),
        amount_cents=123456,
        barcode44=code,
        instructions=['Após o vencimento cobrar multa de 2% e juros de 1% ao mês.'],
        demonstrativo='Honorários contábeis - competência 10/2026',
        pix_payload=pix.payload('11.222.333/0001-81', 'Contabilidade Exemplo Ltda', 'São Paulo', 123456, 'BOL123'),
    )
    fields.update(changes)
    return BoletoDoc(**fields)


def test_boleto_barcode_and_pix_qr_are_decoded(tmp_path):
    doc = _boleto_doc()
    data = boleto_pdf(doc)
    assert data.startswith(b'%PDF')
    decoded = _zbar(_page_png(data, tmp_path))
    assert doc.barcode44 in decoded
    assert doc.pix_payload in decoded
    assert len(decoded) == 2


def test_boleto_without_pix(tmp_path):
    doc = _boleto_doc(pix_payload=None)
    decoded = _zbar(_page_png(boleto_pdf(doc), tmp_path))
    assert decoded == [doc.barcode44]


def test_boleto_text(tmp_path):
    doc = _boleto_doc()
    text = _text(boleto_pdf(doc), tmp_path)
    linha = boleto.linha_digitavel(doc.barcode44)
    assert text.count(linha) == 2
    for expected in ('Recibo do Pagador', 'Ficha de Compensação', 'Local de pagamento', 'Vencimento', 'Beneficiário',
                     'Agência/Código do Beneficiário', 'Data do documento', 'Nº do documento', 'Nosso número',
                     'Carteira', 'Valor do documento', 'Instruções', 'Pagador', 'R$ 1.234,56', '10/11/2026',
                     '341-7', 'Pague com PIX', 'Este boleto só pode ser pago após o registro no banco.'):
        assert expected in text, expected
    compact = re.sub(r'\s', '', text)
    assert doc.pix_payload.replace(' ', '') in compact  # the copia-e-cola text, wrapped over lines


def test_boleto_rejects_inconsistent_codes():
    doc = _boleto_doc()
    wrong = doc.barcode44[:4] + str((int(doc.barcode44[4]) + 1) % 10) + doc.barcode44[5:]
    with pytest.raises(ValueError):
        boleto_pdf(_boleto_doc(barcode44=wrong))
    other = boleto.barcode('341', date(2026, 11, 11), 123456, doc.barcode44[19:])
    with pytest.raises(ValueError, match='does not match'):
        boleto_pdf(_boleto_doc(linha=boleto.linha_digitavel(other)))
    with pytest.raises(ValueError, match='due-date factor'):
        boleto_pdf(_boleto_doc(barcode44=other))
    with pytest.raises(ValueError, match='amount'):
        boleto_pdf(_boleto_doc(amount_cents=123457))
    with pytest.raises(ValueError, match='bank'):
        boleto_pdf(_boleto_doc(bank_code='237'))
    with pytest.raises(ValueError, match='arrecadação'):
        boleto_pdf(_boleto_doc(barcode44='84800000241190003791511116008040047921622988'))


def test_boleto_long_texts_and_logo(tmp_path):
    logo = tmp_path / 'logo.png'
    Image.new('RGB', (300, 120), (20, 60, 120)).save(logo)
    doc = _boleto_doc(office_name='Escritório de Contabilidade ' * 6, payer_address='Rua ' * 60,
                      instructions=['Instrução muito longa ' * 20] * 6, demonstrativo='Linha\n' * 40,
                      office_logo_path=logo, due_date=None)
    free = doc.barcode44[19:]
    doc.barcode44 = boleto.barcode('341', None, 123456, free)
    decoded = _zbar(_page_png(boleto_pdf(doc), tmp_path))
    assert doc.barcode44 in decoded
    # a missing logo file does not prevent the document
    assert boleto_pdf(_boleto_doc(office_logo_path=tmp_path / 'missing.png')).startswith(b'%PDF')


def test_recibo_text(tmp_path):
    words = reais(Decimal('1234.56'))
    doc = ReciboDoc(
        number=123, office_name='Contabilidade Exemplo Ltda', office_document='11.222.333/0001-81',
        office_address='Rua das Flores, 123 - São Paulo/SP', client_name='Padaria Pão & Quente <ME>',
        client_document='33.000.167/0001-01', amount_cents=123456, amount_words=words,
        refers_to='honorários contábeis de outubro/2026', payment_form='PIX', place='São Paulo',
        date=date(2026, 11, 5), accountant_name='Maria da Silva', accountant_crc='CRC-SP 123456/O-7',
    )
    text = ' '.join(_text(recibo_pdf(doc), tmp_path).split())
    assert 'RECIBO Nº 000123' in text
    assert 'Valor: R$ 1.234,56' in text
    assert words == 'mil duzentos e trinta e quatro reais e cinquenta e seis centavos'
    assert f'({words})' in text
    assert 'Recebemos de Padaria Pão & Quente <ME> (CNPJ: 33.000.167/0001-01) a importância de R$ 1.234,56' in text
    assert 'pago via PIX, referente a: honorários contábeis de outubro/2026.' in text
    assert 'CNPJ: 11.222.333/0001-81' in text and 'CPF/CNPJ' not in text
    assert 'São Paulo, 5 de novembro de 2026' in text
    assert 'Maria da Silva' in text and 'CRC-SP 123456/O-7' in text


def test_recibo_words_default_to_extenso(tmp_path):
    doc = ReciboDoc(
        number=7, office_name='Escritório', office_document='11.222.333/0001-81', office_address='Rua A',
        client_name='Cliente', client_document='529.982.247-25', amount_cents=100000000, refers_to='serviços',
        payment_form='boleto', place='Curitiba', date=date(2026, 1, 1), accountant_name='João',
        accountant_crc='CRC-PR 1',
    )
    text = ' '.join(_text(recibo_pdf(doc), tmp_path).split())
    assert '(um milhão de reais)' in text
    assert 'Curitiba, 1 de janeiro de 2026' in text
    assert 'Cliente (CPF: 529.982.247-25)' in text


def test_recibo_keeps_amount_on_one_line(tmp_path):
    """A payer name long enough to push the amount to a line end: 'R$' never ends a line on its own."""
    for extra in range(0, 40, 3):
        doc = ReciboDoc(
            number=8, office_name='Escritório', office_document='11.222.333/0001-81', office_address='Rua A',
            client_name='Cliente ' + 'x' * extra, client_document='529.982.247-25', amount_cents=150000,
            refers_to='Abertura de filial', payment_form='boleto', place='Curitiba', date=date(2026, 1, 1),
            accountant_name='João', accountant_crc='CRC-PR 1',
        )
        lines = [line.strip() for line in _text(recibo_pdf(doc), tmp_path).splitlines()]
        assert not any(line.endswith('R$') for line in lines), lines
        assert 'referente a: Abertura de filial.' in ' '.join(' '.join(lines).split())


def test_pix_qr_png_decodes(tmp_path):
    data = pix.payload('123e4567-e12b-12d1-a456-426655440000', 'Fulano de Tal', 'Brasília', 2590)
    png = pix_qr_png(data, box_size=6)
    assert png.startswith(b'\x89PNG')
    image = Image.open(io.BytesIO(png))
    assert image.size[0] == image.size[1] and image.size[0] % 6 == 0
    path = tmp_path / 'qr.png'
    path.write_bytes(png)
    assert _zbar(path) == [data]


def test_table_pdf_repeats_header(tmp_path):
    columns = ['Código', 'Cliente', 'CNPJ', 'Valor']
    rows = [[f'{i:04d}', f'Cliente {i} & Filhos <Ltda>', '11.222.333/0001-81', money(i * 1000)] for i in range(150)]
    data = table_pdf('Clientes ativos', columns, rows, footer='Filtro: ativos')
    source = tmp_path / 'doc.pdf'
    source.write_bytes(data)
    info = subprocess.run(['pdfinfo', str(source)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r'Pages:\s+(\d+)', info).group(1))
    assert pages >= 3
    assert re.search(r'Page size:\s+841\.\d+ x 595\.\d+', info)  # landscape A4
    for page in (1, pages):
        text = subprocess.run(['pdftotext', '-f', str(page), '-l', str(page), str(source), '-'],
                              capture_output=True, text=True, check=True).stdout
        assert 'Cliente' in text and 'CNPJ' in text and 'Valor' in text
        assert f'Página {page} de {pages}' in text
        assert 'Filtro: ativos' in text
    assert 'Cliente 149 & Filhos <Ltda>' in _text(data, tmp_path)


def test_table_pdf_empty():
    assert table_pdf('Vazio', ['A', 'B'], []).startswith(b'%PDF')


def test_formatters():
    assert money(123456) == 'R$ 1.234,56'
    assert money(5) == 'R$ 0,05'
    assert money(100000000) == 'R$ 1.000.000,00'
    assert date_br(date(2026, 3, 5)) == '05/03/2026'
    assert date_br(None) == ''
    assert date_extenso(date(2026, 11, 5)) == '5 de novembro de 2026'
    assert date_extenso(date(2026, 3, 1)) == '1 de março de 2026'
