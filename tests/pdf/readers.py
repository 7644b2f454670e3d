"""The real tools a bank or a payer would rely on, run on a rendered PDF: zbarimg reads the Interleaved 2 of 5
barcode and the QR code from a 300 dpi rendering (poppler's pdftoppm), pdftotext reads the text.
`make test` installs the Debian packages zbar-tools and poppler-utils."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.conftest import require_tools

require_tools('zbarimg', 'pdftoppm', 'pdftotext')


def zbar(image: Path) -> list[str]:
    result = subprocess.run(
        ['zbarimg', '--raw', '-q', '-Sdisable', '-Si25.enable', '-Sqrcode.enable', str(image)],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    return [line for line in result.stdout.splitlines() if line]


def page_png(pdf: bytes, folder: Path, dpi: int = 300) -> Path:
    source = folder / 'doc.pdf'
    source.write_bytes(pdf)
    subprocess.run(['pdftoppm', '-r', str(dpi), '-png', '-f', '1', '-l', '1', '-singlefile', str(source),
                    str(folder / 'page')], check=True)
    return folder / 'page.png'


def pdf_text(pdf: bytes, folder: Path) -> str:
    source = folder / 'doc.pdf'
    source.write_bytes(pdf)
    result = subprocess.run(['pdftotext', '-layout', str(source), '-'], capture_output=True, text=True, check=True)
    return result.stdout
