"""The list report PDF: landscape A4, header and footer on every page (pdfinfo, pdftotext)."""

from __future__ import annotations

import re
import subprocess

from conton.pdf.common import money
from conton.pdf.table import table_pdf
from tests.conftest import require_tools
from tests.pdf.readers import pdf_text

require_tools('pdfinfo', 'pdftotext')


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
    assert 'Cliente 149 & Filhos <Ltda>' in pdf_text(data, tmp_path)


def test_table_pdf_empty():
    assert table_pdf('Vazio', ['A', 'B'], []).startswith(b'%PDF')
