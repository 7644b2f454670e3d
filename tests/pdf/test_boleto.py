"""The boleto PDF, read back with the tools a bank or a payer relies on: zbarimg decodes the barcode and the PIX QR
code, pdftotext the printed fields (tests/pdf/readers.py)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from PIL import Image

from conton.br import boleto, pix
from conton.pdf.boleto import BoletoDoc, boleto_pdf
from tests.conftest import require_tools
from tests.pdf.readers import page_png, pdf_text, zbar

require_tools('zbarimg', 'pdftoppm', 'pdftotext')


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
    decoded = zbar(page_png(data, tmp_path))
    assert doc.barcode44 in decoded
    assert doc.pix_payload in decoded
    assert len(decoded) == 2


def test_boleto_without_pix(tmp_path):
    doc = _boleto_doc(pix_payload=None)
    decoded = zbar(page_png(boleto_pdf(doc), tmp_path))
    assert decoded == [doc.barcode44]


def test_boleto_text(tmp_path):
    doc = _boleto_doc()
    text = pdf_text(boleto_pdf(doc), tmp_path)
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
    decoded = zbar(page_png(boleto_pdf(doc), tmp_path))
    assert doc.barcode44 in decoded
    # a missing logo file does not prevent the document
    assert boleto_pdf(_boleto_doc(office_logo_path=tmp_path / 'missing.png')).startswith(b'%PDF')
