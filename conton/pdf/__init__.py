"""PDF documents, drawn with reportlab: the boleto (`boleto`), the recibo (`recibo`), the list report (`table`) and
the PIX QR code as PNG (`qr`); `common` holds the fonts, formatters and drawing helpers they share.

Pure, like `conton.br`: plain dataclasses and values in, bytes out; no database, no NiceGUI, no settings, nothing from
`conton.services`, `conton.models` or `conton.pages`. Drawing is CPU-bound: a service calls it outside its
transaction, and a page through `run.io_bound`.
"""

from .boleto import REGISTRATION_NOTE, BoletoDoc, boleto_pdf
from .common import date_br, date_extenso, document_label, money
from .qr import pix_qr_png
from .recibo import ReciboDoc, recibo_pdf
from .table import table_pdf

__all__ = [
    'BoletoDoc',
    'ReciboDoc',
    'boleto_pdf',
    'recibo_pdf',
    'pix_qr_png',
    'table_pdf',
    'money',
    'date_br',
    'date_extenso',
    'document_label',
    'REGISTRATION_NOTE',
]
