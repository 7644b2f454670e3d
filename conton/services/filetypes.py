"""Which kind of file an upload is, decided from its content alone (never its name or the browser's word), and the
clean original name kept for the download. Pure: no database, no NiceGUI.

`identify(source)` returns a `FileType` (mime, Portuguese label, the extension the server stores it with) or raises
`RefusedFile` (a ValidationError on field 'file' with a Portuguese message). It reads only what it needs: the first
64 KiB, the last 64 KiB, a ZIP's central directory (never an entry's data, except the two small XML parts that tell
an Office document apart) and an OLE file's directory, so a 200 MB file is checked in milliseconds.

Accepted: PDF, images (PNG, JPEG, GIF, WebP, TIFF, BMP, HEIC/HEIF/AVIF), Office documents (DOCX/XLSX/PPTX by their
parts, ODF by its `mimetype` entry, DOC/XLS/PPT by the OLE directory), XML (parsed with defusedxml, no DTD or
entities), TXT/CSV (UTF-8 or Latin-1/Windows-1252 text), OFX (SGML or XML) and ZIP (stored, never unpacked).
Refused whatever they are named: HTML, SVG, XHTML, executables (PE, ELF, Mach-O, Java class, scripts with `#!`,
WebAssembly, DEX, JAR/APK), Office documents with macros, ZIP bombs, and anything unknown.

Text formats are checked on their head and tail only: a NUL in the middle of a 200 MB CSV is not seen. That is the
price of never reading a file whole; the download is always sent as an attachment with nosniff."""
from __future__ import annotations

import codecs
import io
import os
import re
import struct
import unicodedata
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO, Literal

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, ParseError, fromstring

from .errors import ValidationError

UNKNOWN = 'O arquivo não é de um tipo aceito (PDF, imagens, documentos do Office, XML, TXT/CSV, OFX ou ZIP).'
DANGEROUS = 'Arquivos HTML, SVG e executáveis não são aceitos, mesmo com outro nome.'
EMPTY = 'O arquivo está vazio.'
MACROS = ('Documentos do Office com macros não são aceitos. Salve o arquivo sem macros (.docx, .xlsx ou .pptx) e '
          'envie de novo.')
BAD_XML = 'O XML está malformado ou usa DTD/entidades, que não são aceitas.'
ZIP_BOMB = 'O ZIP tem arquivos demais ou um tamanho descompactado desproporcional e não é aceito.'
DAMAGED = 'O arquivo {label} está incompleto ou danificado.'

HEAD = 64 * 1024          # bytes read from the start of every file
TAIL = 64 * 1024 + 22     # and from its end (a ZIP's end record with the longest comment fits)
XML_SAMPLE = 256 * 1024   # the prefix of an XML file that is parsed (the whole file when it is smaller)
MARKUP_WINDOW = 1024      # HTML/SVG markers are looked for anywhere in the first KiB of PDFs, images and text
MAX_ZIP_ENTRIES = 10_000
MAX_ZIP_DIRECTORY = 8 * 1024 * 1024
MAX_ZIP_UNPACKED = 1024 ** 3   # a ZIP that unpacks to more than this ...
MAX_ZIP_RATIO = 100            # ... and to more than this many times its own size is a bomb
MAX_NAME = 120

Reason = Literal['empty', 'dangerous', 'unknown', 'macros', 'xml', 'zip', 'damaged']


@dataclass(frozen=True)
class FileType:
    mime: str
    label: str                   # for people, in Portuguese: 'PDF', 'Planilha Excel'
    extension: str               # the extension of the name the server stores it under: '.pdf'
    group: str                   # 'pdf' | 'image' | 'office' | 'xml' | 'text' | 'ofx' | 'zip'
    extensions: tuple[str, ...]  # extensions a download name may keep for this content (see download_name)


class RefusedFile(ValidationError):
    """The content is not an accepted type; `reason` says why in one word (for logs and tests)."""

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(message, 'file')
        self.reason = reason
        self.message = message

    def __reduce__(self):  # survives pickling (run.cpu_bound, logging handlers)
        return type(self), (self.reason, self.message)


def _t(mime: str, label: str, group: str, *extensions: str) -> FileType:
    return FileType(mime, label, extensions[0], group, extensions)


PDF = _t('application/pdf', 'PDF', 'pdf', '.pdf')
PNG = _t('image/png', 'Imagem PNG', 'image', '.png')
JPEG = _t('image/jpeg', 'Imagem JPEG', 'image', '.jpg', '.jpeg', '.jpe', '.jfif')
GIF = _t('image/gif', 'Imagem GIF', 'image', '.gif')
WEBP = _t('image/webp', 'Imagem WebP', 'image', '.webp')
TIFF = _t('image/tiff', 'Imagem TIFF', 'image', '.tif', '.tiff')
BMP = _t('image/bmp', 'Imagem BMP', 'image', '.bmp', '.dib')
HEIC = _t('image/heic', 'Imagem HEIC', 'image', '.heic', '.heif')
HEIF = _t('image/heif', 'Imagem HEIF', 'image', '.heif', '.heic')
AVIF = _t('image/avif', 'Imagem AVIF', 'image', '.avif')
DOCX = _t('application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'Documento Word', 'office',
          '.docx', '.dotx', '.docm', '.dotm')
XLSX = _t('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'Planilha Excel', 'office',
          '.xlsx', '.xltx', '.xlsm', '.xltm')
XLSB = _t('application/vnd.ms-excel.sheet.binary.macroEnabled.12', 'Planilha Excel (binária)', 'office', '.xlsb')
PPTX = _t('application/vnd.openxmlformats-officedocument.presentationml.presentation', 'Apresentação PowerPoint',
          'office', '.pptx', '.ppsx', '.potx', '.pptm', '.ppsm')
ODT = _t('application/vnd.oasis.opendocument.text', 'Documento de texto ODF', 'office', '.odt')
ODS = _t('application/vnd.oasis.opendocument.spreadsheet', 'Planilha ODF', 'office', '.ods')
ODP = _t('application/vnd.oasis.opendocument.presentation', 'Apresentação ODF', 'office', '.odp')
DOC = _t('application/msword', 'Documento Word 97-2003', 'office', '.doc', '.dot')
XLS = _t('application/vnd.ms-excel', 'Planilha Excel 97-2003', 'office', '.xls', '.xlt')
PPT = _t('application/vnd.ms-powerpoint', 'Apresentação PowerPoint 97-2003', 'office', '.ppt', '.pps', '.pot')
OFFICE_ENCRYPTED = _t('application/octet-stream', 'Documento do Office protegido por senha', 'office',
                      '.bin', '.docx', '.xlsx', '.pptx', '.doc', '.xls', '.ppt')
XML = _t('application/xml', 'XML', 'xml', '.xml')
NFE_XML = _t('application/xml', 'XML de NF-e', 'xml', '.xml')
_TEXT_EXTENSIONS = ('.txt', '.csv', '.tsv', '.tab', '.prn', '.dat', '.ret', '.rem', '.rpt', '.log')
TXT = FileType('text/plain', 'Texto (TXT)', '.txt', 'text', _TEXT_EXTENSIONS)
CSV = FileType('text/csv', 'Arquivo CSV', '.csv', 'text', _TEXT_EXTENSIONS)
OFX = _t('application/x-ofx', 'Extrato OFX', 'ofx', '.ofx', '.qfx')
ZIP = _t('application/zip', 'Arquivo ZIP', 'zip', '.zip')


def identify(source: str | os.PathLike | BinaryIO | bytes) -> FileType:
    """The accepted type of a file (a path, bytes or a seekable binary stream, read from its start; a stream is left
    where it was), or RefusedFile."""
    with _opened(source) as fp:
        return _identify(_Reader(fp))


def clean_name(original: object, default: str = 'arquivo') -> str:
    """The original file name fit to keep, show and offer in Content-Disposition: no path parts ('/', '\\', drive
    letter), no control, format (right-to-left override, zero-width), surrogate or separator characters, no
    characters Windows refuses, whitespace collapsed, NFC, at most MAX_NAME characters keeping the extension,
    never empty."""
    name = original if isinstance(original, str) else ''
    name = ''.join(ch for ch in name if unicodedata.category(ch) not in ('Cc', 'Cf', 'Cs', 'Co', 'Cn', 'Zl', 'Zp'))
    name = unicodedata.normalize('NFC', name).replace('\\', '/').rsplit('/', 1)[-1]
    name = re.sub(r'^[A-Za-z]:', '', name)
    name = re.sub(r'["<>:|?*]', '', name)
    name = re.sub(r'\s+', ' ', name).strip(' .')
    stem = name.split('.', 1)[0].upper()
    if stem in _WINDOWS_DEVICES:
        name = f'_{name}'
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition('.')
        if dot and stem and len(ext) <= 16:
            name = stem[:MAX_NAME - len(ext) - 1].rstrip(' .') + '.' + ext
        else:
            name = name[:MAX_NAME].rstrip(' .')
    return name.strip(' .') or default


def download_name(original: object, filetype: FileType) -> str:
    """The cleaned original name, with the type's extension added when its own does not fit the content (a PDF sent
    as 'nota.exe' downloads as 'nota.exe.pdf'; a text sent as 'x.bat' as 'x.bat.txt')."""
    name = clean_name(original)
    suffix = os.path.splitext(name)[1].lower()
    if suffix in filetype.extensions:
        return name
    return clean_name(name[:MAX_NAME - len(filetype.extension)] + filetype.extension)


_WINDOWS_DEVICES = frozenset({'CON', 'PRN', 'AUX', 'NUL', *(f'COM{i}' for i in range(10)),
                              *(f'LPT{i}' for i in range(10))})


# --- reading -----------------------------------------------------------------------------------------------------

class _Reader:
    def __init__(self, fp: BinaryIO) -> None:
        self.fp = fp
        self.size = fp.seek(0, os.SEEK_END)

    def read_at(self, offset: int, length: int) -> bytes:
        self.fp.seek(offset)
        parts, left = [], length
        while left > 0:
            part = self.fp.read(left)
            if not part:
                break
            parts.append(part)
            left -= len(part)
        return b''.join(parts)


@contextmanager
def _opened(source: str | os.PathLike | BinaryIO | bytes) -> Iterator[BinaryIO]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        yield io.BytesIO(bytes(source))
    elif isinstance(source, (str, os.PathLike)):
        with open(source, 'rb') as fp:
            yield fp
    else:
        if not source.seekable():
            raise ValueError('identify needs a seekable stream')
        position = source.tell()
        try:
            yield source
        finally:
            source.seek(position)


def _identify(reader: _Reader) -> FileType:
    if reader.size == 0:
        raise RefusedFile('empty', EMPTY)
    head = reader.read_at(0, HEAD)
    tail = head[-TAIL:] if reader.size <= HEAD else reader.read_at(max(0, reader.size - TAIL), TAIL)
    if _is_executable(head):
        raise RefusedFile('dangerous', DANGEROUS)
    found = _binary(reader, head, tail)
    if found is not None:
        if found.group in ('pdf', 'image') and _MARKUP_ANYWHERE.search(head[:MARKUP_WINDOW]):
            raise RefusedFile('dangerous', DANGEROUS)  # a polyglot: a PDF or image header before HTML or SVG
        return found
    return _textual(reader, head, tail)


# --- executables and markup ---------------------------------------------------------------------------------------

_EXECUTABLE_MAGIC = (
    b'\x7fELF',                                            # Linux/BSD
    b'\xfe\xed\xfa\xce', b'\xfe\xed\xfa\xcf', b'\xce\xfa\xed\xfe', b'\xcf\xfa\xed\xfe',  # Mach-O
    b'\xca\xfe\xba\xbe', b'\xca\xfe\xba\xbf',              # Mach-O universal, Java class
    b'#!',                                                 # scripts
    b'\x00asm',                                            # WebAssembly
    b'dex\n',                                              # Android
    b'L\x00\x00\x00\x01\x14\x02\x00',                      # Windows shortcut
)
_MARKUP_ANYWHERE = re.compile(rb'<\s*(?:html|script|svg|body|iframe|frameset)\b|<!doctype\s+html', re.IGNORECASE)
# what browsers take for HTML at the start of a file (WHATWG MIME sniffing), after whitespace
_MARKUP_AT_START = re.compile(rb'<(?:!doctype\s+html|html|head|script|iframe|h1|div|font|table|a|style|title|b|body|'
                              rb'br|p|svg|math)[\s/>]', re.IGNORECASE)


def _is_executable(head: bytes) -> bool:
    if head.startswith(b'MZ') and b'\x00' in head[2:64]:  # DOS/Windows (PE); a text starting "MZ" has no NUL
        return True
    return head.startswith(_EXECUTABLE_MAGIC)


# --- binary formats -----------------------------------------------------------------------------------------------

_BMP_HEADERS = frozenset({12, 40, 52, 56, 64, 108, 124})
_HEIC_BRANDS = frozenset({b'heic', b'heix', b'heim', b'heis', b'hevc', b'hevx'})
_HEIF_BRANDS = frozenset({b'mif1', b'msf1'})
_AVIF_BRANDS = frozenset({b'avif', b'avis'})


def _binary(reader: _Reader, head: bytes, tail: bytes) -> FileType | None:
    if head.startswith(b'%PDF-'):
        if b'%%EOF' not in tail[-1024:]:
            raise RefusedFile('damaged', 'O PDF está incompleto ou danificado.')
        return PDF
    if head.startswith(b'\x89PNG\r\n\x1a\n'):
        return PNG if head[12:16] == b'IHDR' else _damaged('PNG')
    if head.startswith(b'\xff\xd8\xff'):
        return JPEG
    if head[:6] in (b'GIF87a', b'GIF89a'):
        return GIF
    if head[:4] == b'RIFF' and head[8:12] == b'WEBP':
        return WEBP if head[12:15] == b'VP8' else _damaged('WebP')
    if head[:4] in (b'II*\x00', b'MM\x00*', b'II+\x00', b'MM\x00+'):
        return TIFF
    if head[:2] == b'BM' and len(head) >= 18 and struct.unpack_from('<I', head, 14)[0] in _BMP_HEADERS:
        return BMP
    if head[4:8] == b'ftyp':
        brand = head[8:12]
        for brands, found in ((_HEIC_BRANDS, HEIC), (_AVIF_BRANDS, AVIF), (_HEIF_BRANDS, HEIF)):
            if brand in brands:
                return found
        return None  # MP4, QuickTime...: unknown
    if head.startswith((b'PK\x03\x04', b'PK\x05\x06')):
        return _zip(reader, tail)
    if head.startswith(b'\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1'):
        return _ole(reader, head)
    return None


def _damaged(label: str) -> FileType:
    raise RefusedFile('damaged', DAMAGED.format(label=label))


# --- ZIP and the Office formats built on it -----------------------------------------------------------------------

_OOXML_FAMILIES = (  # (main part folder, words of its content type, type)
    ('word/', ('wordprocessingml', 'ms-word'), DOCX),
    ('xl/', ('sheet.binary',), XLSB),
    ('xl/', ('spreadsheetml', 'ms-excel'), XLSX),
    ('ppt/', ('presentationml', 'ms-powerpoint'), PPTX),
)
_ODF = {'application/vnd.oasis.opendocument.text': ODT, 'application/vnd.oasis.opendocument.spreadsheet': ODS,
        'application/vnd.oasis.opendocument.presentation': ODP}
_EXECUTABLE_ENTRIES = frozenset({'meta-inf/manifest.mf', 'classes.dex', 'androidmanifest.xml'})
_OFFICE_DOCUMENT = ('http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument',
                    'http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument')  # transitional, strict
_PACKAGE_NS = '{http://schemas.openxmlformats.org/package/2006/'


def _zip(reader: _Reader, tail: bytes) -> FileType:
    entries, directory_size = _zip_directory_size(reader, tail)
    if entries == 0:
        raise RefusedFile('empty', EMPTY)
    if entries > MAX_ZIP_ENTRIES or directory_size > MAX_ZIP_DIRECTORY:
        raise RefusedFile('zip', ZIP_BOMB)
    try:
        archive = zipfile.ZipFile(reader.fp)  # reads the central directory only
    except Exception:  # noqa: BLE001 - zipfile raises many kinds (BadZipFile, NotImplementedError, struct.error...)
        raise RefusedFile('damaged', 'O ZIP está incompleto ou danificado.') from None
    with archive:
        infos = archive.infolist()
        _refuse_bomb(infos, reader.size, archive.start_dir)
        names = {info.filename.lower(): info for info in infos}
        if _EXECUTABLE_ENTRIES & names.keys():
            raise RefusedFile('dangerous', DANGEROUS)  # JAR, APK
        office = _odf(archive, infos) or _ooxml(archive, names)
        if office is not None and any(name.rsplit('/', 1)[-1] == 'vbaproject.bin' for name in names):
            raise RefusedFile('macros', MACROS)
        return office or ZIP


def _zip_directory_size(reader: _Reader, tail: bytes) -> tuple[int, int]:
    """(entries, central directory size) from the end record, before zipfile reads the directory."""
    at = tail.rfind(b'PK\x05\x06')
    if at < 0 or len(tail) - at < 22:
        raise RefusedFile('damaged', 'O ZIP está incompleto ou danificado.')
    entries, size = struct.unpack_from('<HI', tail, at + 10)
    if (entries == 0xFFFF or size == 0xFFFFFFFF) and at >= 20 and tail[at - 20:at - 16] == b'PK\x06\x07':
        record_at = struct.unpack_from('<Q', tail, at - 12)[0]
        record = reader.read_at(record_at, 56)
        if len(record) == 56 and record.startswith(b'PK\x06\x06'):
            entries, size = struct.unpack_from('<QQ', record, 32)
    return entries, size


def _refuse_bomb(infos: list[zipfile.ZipInfo], archive_size: int, directory_start: int) -> None:
    unpacked = sum(info.file_size for info in infos)
    if unpacked > MAX_ZIP_UNPACKED and unpacked > MAX_ZIP_RATIO * archive_size:
        raise RefusedFile('zip', ZIP_BOMB)
    # entries whose data overlap (many names for the same compressed bytes) are the other kind of bomb
    ordered = sorted(infos, key=lambda info: info.header_offset)
    for this, following in zip(ordered, [*ordered[1:], None]):
        name = this.orig_filename.encode('utf-8' if this.flag_bits & 0x800 else 'cp437', 'replace')
        end = following.header_offset if following is not None else directory_start
        if this.header_offset + 30 + len(name) + this.compress_size > end:
            raise RefusedFile('zip', ZIP_BOMB)


def _small_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo | None, limit: int = 1024 * 1024) -> bytes | None:
    if info is None or info.file_size > limit or info.flag_bits & 0x1:
        return None
    try:
        with archive.open(info) as entry:
            return entry.read(limit + 1)[:limit]
    except Exception:  # noqa: BLE001 - a bad entry (zlib.error, BadZipFile, NotImplementedError...): not Office
        return None


def _parse_xml(data: bytes | None):
    """A small XML part of an Office file, parsed without DTD or entities; None when absent or bad."""
    if data is None:
        return None
    try:
        return fromstring(data, forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError, LookupError):  # LookupError: unknown encoding
        return None


def _odf(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> FileType | None:
    if not infos or infos[0].filename != 'mimetype':
        return None
    mimetype = _small_entry(archive, infos[0], 200)
    return _ODF.get((mimetype or b'').decode('ascii', 'replace').strip())


def _ooxml(archive: zipfile.ZipFile, names: dict[str, zipfile.ZipInfo]) -> FileType | None:
    types = _parse_xml(_small_entry(archive, names.get('[content_types].xml')))
    if types is None:
        return None
    relations = _parse_xml(_small_entry(archive, names.get('_rels/.rels')))
    main = None
    for relation in (relations.iter(f'{_PACKAGE_NS}relationships}}Relationship') if relations is not None else ()):
        if relation.get('Type') in _OFFICE_DOCUMENT:
            main = (relation.get('Target') or '').lstrip('/')
    if not main or main.lower() not in names:
        return None
    content_type = ''
    for default in types.iter(f'{_PACKAGE_NS}content-types}}Default'):
        if '.' + (default.get('Extension') or '').lower() == os.path.splitext(main.lower())[1]:
            content_type = (default.get('ContentType') or '').lower()
    for override in types.iter(f'{_PACKAGE_NS}content-types}}Override'):
        if (override.get('PartName') or '').lstrip('/').lower() == main.lower():
            content_type = (override.get('ContentType') or '').lower()
    for folder, words, found in _OOXML_FAMILIES:
        if main.lower().startswith(folder) and any(word in content_type for word in words):
            return found
    return None


# --- old Office (OLE compound file) -------------------------------------------------------------------------------

_ENDS_CHAIN = 0xFFFFFFFA
_MAX_DIRECTORY_SECTORS = 256


def _ole(reader: _Reader, head: bytes) -> FileType:
    names = _ole_names(reader, head)
    if names & {'Macros', '_VBA_PROJECT_CUR', 'VBA'}:
        raise RefusedFile('macros', MACROS)
    if 'WordDocument' in names:
        return DOC
    if names & {'Workbook', 'Book'}:
        return XLS
    if 'PowerPoint Document' in names:
        return PPT
    if {'EncryptionInfo', 'EncryptedPackage'} <= names:
        return OFFICE_ENCRYPTED  # a DOCX/XLSX/PPTX saved with a password
    raise RefusedFile('unknown', UNKNOWN)  # MSI installers, Outlook messages, Visio...


def _ole_names(reader: _Reader, head: bytes) -> set[str]:
    """The names in an OLE file's directory, following its sector chain through the FAT (no stream is read)."""
    if len(head) < 512:
        raise RefusedFile('damaged', DAMAGED.format(label='do Office'))
    shift = struct.unpack_from('<H', head, 0x1E)[0]
    if shift not in (9, 12):
        raise RefusedFile('damaged', DAMAGED.format(label='do Office'))
    sector_size = 1 << shift
    difat = struct.unpack_from('<109I', head, 0x4C)
    names: set[str] = set()
    sector, seen = struct.unpack_from('<I', head, 0x30)[0], set()
    while sector < _ENDS_CHAIN and sector not in seen and len(seen) < _MAX_DIRECTORY_SECTORS:
        seen.add(sector)
        data = reader.read_at((sector + 1) * sector_size, sector_size)
        for at in range(0, len(data) - 127, 128):
            length = struct.unpack_from('<H', data, at + 64)[0]
            if 2 <= length <= 64 and data[at + 66] in (1, 2, 5):
                names.add(data[at:at + length - 2].decode('utf-16-le', 'replace'))
        per_fat_sector = sector_size // 4
        fat_index, slot = divmod(sector, per_fat_sector)
        if fat_index >= len(difat) or difat[fat_index] >= _ENDS_CHAIN:
            break
        entry = reader.read_at((difat[fat_index] + 1) * sector_size + slot * 4, 4)
        sector = struct.unpack('<I', entry)[0] if len(entry) == 4 else _ENDS_CHAIN
    return names


# --- text formats: XML, OFX, TXT/CSV --------------------------------------------------------------------------------

_XHTML_NS = '{http://www.w3.org/1999/xhtml}'
_SVG_NS = '{http://www.w3.org/2000/svg}'
_NFE_NS = '{http://www.portalfiscal.inf.br/nfe}'
_OFX_START = re.compile(rb'(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*(?:<\?OFX\s[^>]*\?>\s*)?(?:<!--.*?-->\s*)*<OFX>',
                        re.IGNORECASE | re.DOTALL)
# control characters other than tab, line breaks, form feed (printed reports) and SUB (DOS end of file)
_CONTROL_BYTES = re.compile(rb'[\x01-\x08\x0b\x0e-\x19\x1b-\x1f\x7f]')
_CONTROL_CHARS = re.compile('[\x01-\x08\x0b\x0e-\x19\x1b-\x1f\x7f-\x9f]')


def _textual(reader: _Reader, head: bytes, tail: bytes) -> FileType:
    whole = reader.size <= HEAD
    body = head[3:] if head.startswith(codecs.BOM_UTF8) else head
    start = body.lstrip(b' \t\r\n\x0c')
    if whole and not start:
        raise RefusedFile('empty', EMPTY)
    if not _looks_like_text(head, tail, whole):
        raise RefusedFile('unknown', UNKNOWN)
    if _MARKUP_AT_START.match(start) or _MARKUP_ANYWHERE.search(head[:MARKUP_WINDOW]):
        raise RefusedFile('dangerous', DANGEROUS)
    if start[:10].upper() == b'OFXHEADER:' or _OFX_START.match(start):
        if re.search(rb'<!(?:doctype|entity)', head, re.IGNORECASE):
            raise RefusedFile('xml', BAD_XML)
        return OFX
    if start.startswith(b'<'):
        return _xml(reader, head)
    return CSV if _looks_like_csv(start, whole) else TXT


def _looks_like_text(head: bytes, tail: bytes, whole: bool) -> bool:
    """UTF-8 or Latin-1/Windows-1252 text: no NUL and few control characters in the head and the tail."""
    samples = [head] if whole else [head, tail]
    if any(b'\x00' in sample for sample in samples):
        return False
    utf8 = _decodes_as_utf8(head, final=whole) and (whole or _decodes_as_utf8(tail.lstrip(bytes(range(0x80, 0xC0))),
                                                                              final=True))
    for sample in samples:
        if utf8:
            controls = len(_CONTROL_CHARS.findall(sample.decode('utf-8', 'ignore')))
        else:  # Latin-1 / Windows-1252: 0x80-0x9F are letters and signs there (€, “, ”)
            controls = len(_CONTROL_BYTES.findall(sample))
        if controls > max(2, len(sample) // 100):
            return False
    return True


def _decodes_as_utf8(data: bytes, *, final: bool) -> bool:
    try:
        codecs.getincrementaldecoder('utf-8')().decode(data, final=final)
    except UnicodeDecodeError:
        return False
    return True


def _looks_like_csv(start: bytes, whole: bool) -> bool:
    """Two to five first lines with the same number (at least one) of one separator."""
    lines = start.split(b'\n')
    if not whole:
        lines = lines[:-1]  # the last line of the sample may be cut
    lines = [line for line in lines if line.strip()][:5]
    if len(lines) < 2:
        return False
    return any(lines[0].count(sep) >= 1 and all(line.count(sep) == lines[0].count(sep) for line in lines)
               for sep in (b';', b',', b'\t', b'|'))


class _XmlWatcher:
    """Parser target: the root element and any element in the XHTML or SVG namespace."""

    def __init__(self) -> None:
        self.root: str | None = None
        self.markup = False

    def start(self, tag: str, attrib: dict) -> None:
        if self.root is None:
            self.root = tag
            if tag.rsplit('}', 1)[-1].lower() in ('html', 'svg'):
                self.markup = True
        if tag.startswith((_XHTML_NS, _SVG_NS)):
            self.markup = True

    def close(self) -> None:
        return None


def _xml(reader: _Reader, head: bytes) -> FileType:
    whole = reader.size <= XML_SAMPLE
    sample = reader.read_at(0, XML_SAMPLE) if reader.size > len(head) else head
    watcher = _XmlWatcher()
    parser = DefusedXMLParser(target=watcher, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    try:
        parser.feed(sample)
        if whole:
            parser.close()
    except (ParseError, DefusedXmlException, ValueError, LookupError):  # LookupError: unknown encoding
        if watcher.markup:
            raise RefusedFile('dangerous', DANGEROUS) from None
        raise RefusedFile('xml', BAD_XML) from None
    if watcher.markup:
        raise RefusedFile('dangerous', DANGEROUS)
    if watcher.root is None:
        raise RefusedFile('xml', BAD_XML)
    if not whole and not reader.read_at(max(0, reader.size - 1024), 1024).rstrip().endswith(b'>'):
        raise RefusedFile('xml', BAD_XML)
    return NFE_XML if watcher.root.startswith(_NFE_NS) else XML
