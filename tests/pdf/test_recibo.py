"""The recibo PDF, read back with pdftotext."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from conton.br.extenso import reais
from conton.pdf.recibo import ReciboDoc, recibo_pdf
from tests.conftest import require_tools
from tests.pdf.readers import pdf_text

require_tools('pdftotext')


def test_recibo_text(tmp_path):
    words = reais(Decimal('1234.56'))
    doc = ReciboDoc(
        number=123, office_name='Contabilidade Exemplo Ltda', office_document='11.222.333/0001-81',
        office_address='Rua das Flores, 123 - São Paulo/SP', client_name='Padaria Pão & Quente <ME>',
        client_document='33.000.167/0001-01', amount_cents=123456, amount_words=words,
        refers_to='honorários contábeis de outubro/2026', payment_form='PIX', place='São Paulo',
        date=date(2026, 11, 5), accountant_name='Maria da Silva', accountant_crc='CRC-SP 123456/O-7',
    )
    text = ' '.join(pdf_text(recibo_pdf(doc), tmp_path).split())
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
    text = ' '.join(pdf_text(recibo_pdf(doc), tmp_path).split())
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
        lines = [line.strip() for line in pdf_text(recibo_pdf(doc), tmp_path).splitlines()]
        assert not any(line.endswith('R$') for line in lines), lines
        assert 'referente a: Abertura de filial.' in ' '.join(' '.join(lines).split())
