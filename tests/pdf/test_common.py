"""The formatters printed on every PDF."""

from __future__ import annotations

from datetime import date

from conton.pdf.common import date_br, date_extenso, money


def test_formatters():
    assert money(123456) == 'R$ 1.234,56'
    assert money(5) == 'R$ 0,05'
    assert money(100000000) == 'R$ 1.000.000,00'
    assert date_br(date(2026, 3, 5)) == '05/03/2026'
    assert date_br(None) == ''
    assert date_extenso(date(2026, 11, 5)) == '5 de novembro de 2026'
    assert date_extenso(date(2026, 3, 1)) == '1 de março de 2026'
