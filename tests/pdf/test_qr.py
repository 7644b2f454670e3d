"""The PIX QR code as PNG, decoded by zbarimg."""

from __future__ import annotations

import io

from PIL import Image

from conton.br import pix
from conton.pdf.qr import pix_qr_png
from tests.conftest import require_tools
from tests.pdf.readers import zbar

require_tools('zbarimg')


def test_pix_qr_png_decodes(tmp_path):
    data = pix.payload('123e4567-e12b-12d1-a456-426655440000', 'Fulano de Tal', 'Brasília', 2590)
    png = pix_qr_png(data, box_size=6)
    assert png.startswith(b'\x89PNG')
    image = Image.open(io.BytesIO(png))
    assert image.size[0] == image.size[1] and image.size[0] % 6 == 0
    path = tmp_path / 'qr.png'
    path.write_bytes(png)
    assert zbar(path) == [data]
