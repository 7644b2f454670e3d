"""What moved to conton.br and conton.pdf keeps its public names at its old address (issue 8: code and tests that
import `conton.services.boleto.barcode`, `pix.payload`, `extenso.reais`, `pdf.BoletoDoc`... keep working)."""

from __future__ import annotations

import importlib

import pytest

MOVED = {
    'conton.services.boleto': 'conton.br.boleto',
    'conton.services.pix': 'conton.br.pix',
    'conton.services.extenso': 'conton.br.extenso',
    'conton.services.money': 'conton.br.money',
    'conton.services.pdf': 'conton.pdf',
}


@pytest.mark.parametrize(('old', 'new'), MOVED.items())
def test_old_module_re_exports_every_public_name(old: str, new: str) -> None:
    old_module, new_module = importlib.import_module(old), importlib.import_module(new)
    assert old_module.__all__ == new_module.__all__ and new_module.__all__
    for name in new_module.__all__:
        assert getattr(old_module, name) is getattr(new_module, name), name


def test_names_other_code_relies_on() -> None:
    from conton import formatting
    from conton.br import documents, money
    from conton.services import boleto, extenso, pdf, pix, validation
    assert callable(boleto.barcode) and callable(boleto.bank_dv) and callable(pix.payload)
    assert extenso.reais.__module__ == 'conton.br.extenso'
    assert pdf.BoletoDoc.__module__ == 'conton.pdf.boleto' and pdf.ReciboDoc.__module__ == 'conton.pdf.recibo'
    assert formatting.parse_money is money.parse_money
    assert validation.is_cnpj is documents.is_cnpj and validation.UFS is documents.UFS
