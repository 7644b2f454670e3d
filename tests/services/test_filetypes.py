"""File types by content (services/filetypes.py): hostile samples are built here, real ones with reportlab and
Pillow; the name a file was sent with is never looked at."""
from __future__ import annotations

import io
import pickle
import struct
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from conton.services import filetypes, storage
from conton.services.errors import ValidationError
from conton.services.filetypes import (DANGEROUS, EMPTY, MACROS, UNKNOWN, ZIP_BOMB, FileType, RefusedFile,
                                       clean_name, download_name, identify)


@pytest.fixture(autouse=True)
def _database():
    """Pure code: no database (overrides the autouse fixture of tests/services/conftest.py)."""
    return None


def refused(source) -> RefusedFile:
    with pytest.raises(RefusedFile) as caught:
        identify(source)
    return caught.value


def named(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- builders ------------------------------------------------------------------------------------------------------

CT = 'application/vnd.openxmlformats-officedocument'
RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="{main}"/></Relationships>')
TYPES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
         '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
         '<Default Extension="xml" ContentType="application/xml"/>'
         '<Override PartName="/{main}" ContentType="{content_type}"/></Types>')
OOXML = {
    'docx': ('word/document.xml', f'{CT}.wordprocessingml.document.main+xml',
             '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p>'
             '<w:r><w:t>Olá</w:t></w:r></w:p></w:body></w:document>'),
    'xlsx': ('xl/workbook.xml', f'{CT}.spreadsheetml.sheet.main+xml',
             '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets>'
             '<sheet name="Folha" sheetId="1"/></sheets></workbook>'),
    'xlsm': ('xl/workbook.xml', 'application/vnd.ms-excel.sheet.macroEnabled.main+xml',
             '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'),
    'pptx': ('ppt/presentation.xml', f'{CT}.presentationml.presentation.main+xml',
             '<p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"/>'),
}


def ooxml(kind: str, *, extra: dict[str, bytes] | None = None) -> bytes:
    main, content_type, document = OOXML[kind]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w', zipfile.ZIP_DEFLATED) as archive:
        archive.writestr('[Content_Types].xml', TYPES.format(main=main, content_type=content_type))
        archive.writestr('_rels/.rels', RELS.format(main=main))
        archive.writestr(main, document)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def plain_zip(entries: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w', method) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def patch_central(data: bytes, index: int, *, offset: int | None = None, unpacked: int | None = None) -> bytes:
    """Change the index-th central directory record: its local header offset or its uncompressed size."""
    out, at = bytearray(data), -1
    for _ in range(index + 1):
        at = out.index(b'PK\x01\x02', at + 1)
    if offset is not None:
        struct.pack_into('<I', out, at + 42, offset)
    if unpacked is not None:
        struct.pack_into('<I', out, at + 24, unpacked)
    return bytes(out)


def ole(*names: str) -> bytes:
    """A minimal OLE compound file (512-byte sectors) whose directory holds a root entry and these stream names,
    spread over as many directory sectors as needed (chained through the FAT)."""
    entries = [('Root Entry', 5)] + [(name, 2) for name in names]
    sectors = [entries[i:i + 4] for i in range(0, len(entries), 4)]
    header = bytearray(512)
    header[:8] = b'\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1'
    struct.pack_into('<HHHHH', header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into('<IIIIIII', header, 0x2C, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE)
    struct.pack_into('<I', header, 0x44, 0)
    struct.pack_into('<109I', header, 0x4C, 0, *([0xFFFFFFFF] * 108))
    fat = [0xFFFFFFFD] + [i + 2 for i in range(1, len(sectors))] + [0xFFFFFFFE]
    fat_sector = struct.pack(f'<{len(fat)}I', *fat).ljust(512, b'\xff')
    directory = b''
    for sector in sectors:
        block = bytearray(512)
        for slot, (name, kind) in enumerate(sector):
            encoded = name.encode('utf-16-le') + b'\x00\x00'
            block[slot * 128:slot * 128 + len(encoded)] = encoded
            struct.pack_into('<HB', block, slot * 128 + 64, len(encoded), kind)
        directory += bytes(block)
    return bytes(header) + fat_sector + directory


def image(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new('RGB', (8, 8), (200, 30, 30)).save(buffer, fmt)
    return buffer.getvalue()


def real_pdf() -> bytes:
    from reportlab.pdfgen import canvas
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, 'Guia DAS — competência 10/2026')
    page.save()
    return buffer.getvalue()


NFE = ('<?xml version="1.0" encoding="UTF-8"?>'
       '<nfeProc xmlns="http://www.portalfiscal.inf.br/nfe" versao="4.00"><NFe><infNFe Id="NFe3526" versao="4.00">'
       '<emit><xNome>Padaria São João &amp; Filhos</xNome></emit><det nItem="1"><prod><xProd>Pão francês</xProd>'
       '</prod></det></infNFe></NFe><protNFe versao="4.00"><infProt><cStat>100</cStat></infProt></protNFe>'
       '</nfeProc>')
OFX_SGML = (b'OFXHEADER:100\r\nDATA:OFXSGML\r\nVERSION:102\r\nSECURITY:NONE\r\nENCODING:USASCII\r\nCHARSET:1252\r\n'
            b'COMPRESSION:NONE\r\nOLDFILEUID:NONE\r\nNEWFILEUID:NONE\r\n\r\n<OFX><SIGNONMSGSRSV1><SONRS><STATUS>'
            b'<CODE>0<SEVERITY>INFO</STATUS><DTSERVER>20261031</SONRS></SIGNONMSGSRSV1><BANKMSGSRSV1><STMTTRNRS>'
            b'<STMTRS><BANKTRANLIST><STMTTRN><TRNTYPE>DEBIT<TRNAMT>-12.50<MEMO>Tarifa banc\xe1ria</STMTTRN>'
            b'</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\r\n')
OFX_XML = (b'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
           b'<?OFX OFXHEADER="200" VERSION="220" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>\n'
           b'<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS></SONRS>'
           b'</SIGNONMSGSRSV1></OFX>\n')


# --- accepted ------------------------------------------------------------------------------------------------------

def test_a_real_pdf_is_a_pdf_whatever_its_name(tmp_path: Path) -> None:
    found = identify(named(tmp_path, 'foto.png', real_pdf()))
    assert found == filetypes.PDF
    assert (found.mime, found.label, found.extension) == ('application/pdf', 'PDF', '.pdf')


@pytest.mark.parametrize(('fmt', 'mime'), [('PNG', 'image/png'), ('JPEG', 'image/jpeg'), ('GIF', 'image/gif'),
                                           ('WEBP', 'image/webp'), ('TIFF', 'image/tiff'), ('BMP', 'image/bmp')])
def test_real_images_are_recognised(fmt: str, mime: str) -> None:
    found = identify(image(fmt))
    assert (found.mime, found.group) == (mime, 'image')
    assert found.label.startswith('Imagem ')


def test_heic_photos_from_phones_are_images_but_an_mp4_is_not() -> None:
    heic = b'\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic' + b'\x00' * 64
    assert identify(heic) == filetypes.HEIC
    assert refused(b'\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2' + b'\x00' * 64).reason == 'unknown'


@pytest.mark.parametrize(('kind', 'expected', 'label'), [('docx', filetypes.DOCX, 'Documento Word'),
                                                         ('xlsx', filetypes.XLSX, 'Planilha Excel'),
                                                         ('pptx', filetypes.PPTX, 'Apresentação PowerPoint')])
def test_minimal_office_documents_are_told_apart_by_their_parts(tmp_path: Path, kind: str, expected: FileType,
                                                                label: str) -> None:
    found = identify(named(tmp_path, 'arquivo.zip', ooxml(kind)))
    assert found == expected and found.label == label and found.extension == f'.{kind}'


def test_office_documents_in_strict_xml_or_typed_by_a_default_extension() -> None:
    strict = ooxml('xlsx')
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(strict)) as source, zipfile.ZipFile(buffer, 'w') as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == '_rels/.rels':
                data = data.replace(b'http://schemas.openxmlformats.org/officeDocument/2006/relationships/',
                                    b'http://purl.oclc.org/ooxml/officeDocument/relationships/')
            target.writestr(info.filename, data)
    assert identify(buffer.getvalue()) == filetypes.XLSX
    types = TYPES.replace('<Default Extension="xml" ContentType="application/xml"/>',
                          f'<Default Extension="xml" ContentType="{CT}.wordprocessingml.document.main+xml"/>')
    by_default = plain_zip({'[Content_Types].xml': types.format(main='outro/x.bin', content_type='x/y'),
                            '_rels/.rels': RELS.format(main='word/document.xml'), 'word/document.xml': b'<w/>'})
    assert identify(by_default) == filetypes.DOCX


def test_a_zip_renamed_docx_is_a_zip_and_a_zip_that_only_pretends_is_a_zip_too(tmp_path: Path) -> None:
    assert identify(named(tmp_path, 'contrato.docx', plain_zip({'contrato.txt': b'texto'}))) == filetypes.ZIP
    fake = plain_zip({'[Content_Types].xml': TYPES.format(main='word/document.xml',
                                                          content_type=f'{CT}.wordprocessingml.document.main+xml'),
                      'word/outra.xml': b'<x/>'})
    assert identify(named(tmp_path, 'contrato.docx', fake)) == filetypes.ZIP


def test_odf_documents_by_their_mimetype_entry() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w') as archive:
        archive.writestr('mimetype', 'application/vnd.oasis.opendocument.spreadsheet', zipfile.ZIP_STORED)
        archive.writestr('content.xml', '<office:document-content/>', zipfile.ZIP_DEFLATED)
        archive.writestr('META-INF/manifest.xml', '<manifest:manifest/>', zipfile.ZIP_DEFLATED)
    assert identify(buffer.getvalue()) == filetypes.ODS


@pytest.mark.parametrize(('names', 'expected'), [(('WordDocument', '1Table'), filetypes.DOC),
                                                 (('Workbook',), filetypes.XLS),
                                                 (('Current User', 'PowerPoint Document'), filetypes.PPT),
                                                 (('EncryptionInfo', 'EncryptedPackage'), filetypes.OFFICE_ENCRYPTED)])
def test_old_office_documents_by_their_ole_directory(names: tuple[str, ...], expected: FileType) -> None:
    assert identify(ole(*names)) == expected


def test_the_ole_directory_is_followed_past_its_first_sector() -> None:
    # the Workbook stream is named in the third directory sector: found only by following the FAT chain
    assert identify(ole(*[f'\x05Propriedade{i}' for i in range(9)], 'Workbook')) == filetypes.XLS


def test_nfe_xml_is_accepted_in_utf8_and_latin1() -> None:
    assert identify(NFE.encode()) == filetypes.NFE_XML
    latin = NFE.replace('UTF-8', 'ISO-8859-1').encode('latin-1')
    found = identify(latin)
    assert (found.mime, found.label, found.extension) == ('application/xml', 'XML de NF-e', '.xml')
    assert identify(b'\xef\xbb\xbf<?xml version="1.0"?><lote><item>1</item></lote>') == filetypes.XML


@pytest.mark.parametrize('data', [OFX_SGML, OFX_XML, b'\r\n  <OFX>\r\n<SIGNONMSGSRSV1></SIGNONMSGSRSV1></OFX>',
                                  b'\n\nofxheader:100\ndata:ofxsgml\n\n<ofx><signonmsgsrsv1></ofx>'],
                         ids=['sgml-header', 'xml', 'bare', 'lower-case'])
def test_ofx_statements_are_ofx(data: bytes) -> None:
    assert identify(data) == filetypes.OFX


@pytest.mark.parametrize('data', [
    'Nome;Valor;Competência\nJoão;1.234,56;10/2026\nMaria;99,90;10/2026\n'.encode(),
    '\ufeffNome,Valor\nAção,1\n'.encode(),
    'Nome;Valor\nConceição;€ 10\n'.encode('cp1252'),
    'Descrição\tValor\r\nPão\t1\r\n'.encode('latin-1'),
], ids=['utf8', 'utf8-bom', 'cp1252', 'latin1-tabs'])
def test_csv_in_utf8_and_latin1_is_csv(data: bytes) -> None:
    assert identify(data) == filetypes.CSV


def test_plain_text_is_txt_even_when_it_starts_like_an_exe_header() -> None:
    assert identify('Relatório de pendências\nNada a declarar.\n'.encode()) == filetypes.TXT
    assert identify(b'MZ Contabilidade - balancete\n') == filetypes.TXT


# --- refused -------------------------------------------------------------------------------------------------------

def test_an_empty_file_and_one_of_only_blanks_are_empty(tmp_path: Path) -> None:
    for data in (b'', b' \r\n\t\n'):
        error = refused(named(tmp_path, 'nota.pdf', data))
        assert (error.reason, error.errors) == ('empty', {'file': EMPTY})
    assert refused(plain_zip({})).message == EMPTY
    assert isinstance(refused(b''), ValidationError)


@pytest.mark.parametrize('data', [
    b'<!DOCTYPE html>\n<html><body><script>fetch("/api")</script></body></html>',
    b'  \r\n<HTML><BODY>Nota</BODY></HTML>',
    b'<p onclick="x()">Clique</p>',
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>',
    b'<?xml version="1.0"?><!--' + b'x' * 2000 + b'--><svg xmlns="http://www.w3.org/2000/svg"/>',
    b'<?xml version="1.0"?><lote><x:div xmlns:x="http://www.w3.org/1999/xhtml">' + b'y' * 1500 + b'</x:div></lote>',
    b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><head/></html>',
], ids=['html', 'html-upper', 'html-fragment', 'svg', 'svg-after-long-comment', 'xhtml-nested', 'xhtml'])
def test_html_svg_and_xhtml_renamed_pdf_are_refused(tmp_path: Path, data: bytes) -> None:
    error = refused(named(tmp_path, 'boleto.pdf', data))
    assert (error.reason, error.message) == ('dangerous', DANGEROUS)


@pytest.mark.parametrize('data', [
    b'%PDF-1.7\n%\xe2\xe3\xcf\xd3\n<html><script>alert(document.cookie)</script></html>\n%%EOF\n',
    b'%PDF-1.4\n1 0 obj << >> endobj\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>\n%%EOF',
    b'\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR' + b'\x00' * 20 + b'tEXt<script>alert(1)</script>',
], ids=['pdf-html', 'pdf-svg', 'png-script'])
def test_polyglots_with_markup_after_a_pdf_or_image_header_are_refused(data: bytes) -> None:
    assert refused(data).reason == 'dangerous'


@pytest.mark.parametrize('data', [
    b'MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00' + b'\x00' * 44 + b'\x80\x00\x00\x00'
    + b'\x00' * 64 + b'PE\x00\x00L\x01',
    b'\x7fELF\x02\x01\x01\x00' + b'\x00' * 56,
    b'\xcf\xfa\xed\xfe\x07\x00\x00\x01' + b'\x00' * 24,
    b'\xca\xfe\xba\xbe\x00\x00\x00\x34' + b'\x00' * 24,
    b'#!/bin/sh\nrm -rf "$HOME"\n',
    b'\x00asm\x01\x00\x00\x00',
], ids=['pe', 'elf', 'mach-o', 'java-class', 'shell', 'wasm'])
def test_executables_are_refused_whatever_their_name(tmp_path: Path, data: bytes) -> None:
    error = refused(named(tmp_path, 'planilha.xlsx', data))
    assert (error.reason, error.message) == ('dangerous', DANGEROUS)


@pytest.mark.parametrize('entries', [{'META-INF/MANIFEST.MF': b'Main-Class: A\n', 'A.class': b'\xca\xfe\xba\xbe'},
                                     {'AndroidManifest.xml': b'\x03\x00', 'classes.dex': b'dex\n035\x00'}],
                         ids=['jar', 'apk'])
def test_jar_and_apk_are_executables_not_zips(entries: dict[str, bytes]) -> None:
    assert refused(plain_zip(entries)).reason == 'dangerous'


def test_office_documents_with_macros_are_refused() -> None:
    error = refused(ooxml('xlsm', extra={'xl/vbaProject.bin': b'\xd0\xcf\x11\xe0 macros'}))
    assert (error.reason, error.message) == ('macros', MACROS)
    assert refused(ole('WordDocument', 'Macros', 'VBA')).reason == 'macros'
    assert identify(ooxml('xlsm')) == filetypes.XLSX  # macro-enabled type, no macro inside


def test_an_ole_file_that_is_no_office_document_is_refused() -> None:
    assert refused(ole('__properties_version1.0', '__substg1.0_0037001F')).message == UNKNOWN


XML_BOMB = b'''<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<nfeProc xmlns="http://www.portalfiscal.inf.br/nfe">&lol9;</nfeProc>'''
XXE = b'''<?xml version="1.0"?>
<!DOCTYPE nfe [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<nfeProc xmlns="http://www.portalfiscal.inf.br/nfe">&xxe;</nfeProc>'''


@pytest.mark.parametrize('data', [
    XML_BOMB, XXE,
    b'<?xml version="1.0"?><!DOCTYPE nfe SYSTEM "http://exemplo.test/nfe.dtd"><nfe/>',
    b'<?xml version="1.0"?><nfe>&naodeclarada;</nfe>',
    b'<?xml version="1.0"?><nfe><aberta></nfe>',
    b'<?xml version="1.0" encoding="UTF-C"?><nfe/>',
    b'OFXHEADER:100\r\n<!DOCTYPE OFX [<!ENTITY x SYSTEM "file:///etc/passwd">]><OFX>&x;</OFX>',
], ids=['billion-laughs', 'external-entity', 'external-dtd', 'undeclared-entity', 'malformed', 'unknown-encoding',
        'ofx-entity'])
def test_xml_with_dtd_entities_or_broken_structure_is_refused(data: bytes) -> None:
    error = refused(data)
    assert error.reason == 'xml' and 'DTD' in error.message


@pytest.mark.parametrize('data', [
    b'Nome;Valor\x00\x00\x00\nJo\x00o;1\n',
    'Nome;Valor\nJoão;1\n'.encode('utf-16'),
    bytes(range(256)) * 8,
    b'texto \x1b[31m' + b'\x01\x02\x03\x04\x05\x06' * 20,
], ids=['nul', 'utf16', 'binary', 'controls'])
def test_text_with_nul_or_control_characters_is_refused(data: bytes) -> None:
    assert refused(data).message == UNKNOWN


def test_damaged_pdf_and_zip_are_refused_with_their_own_message() -> None:
    assert refused(real_pdf()[:-200]).message == 'O PDF está incompleto ou danificado.'
    assert refused(ooxml('docx')[:-30]).message == 'O ZIP está incompleto ou danificado.'


def test_an_office_zip_with_a_corrupt_part_is_only_a_zip() -> None:
    data = bytearray(ooxml('docx'))
    start = 30 + len('[Content_Types].xml')  # the first entry's compressed bytes
    data[start:start + 8] = b'\xff' * 8
    assert identify(bytes(data)) == filetypes.ZIP


def test_zip_bombs_are_refused_from_the_central_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    two = plain_zip({'a.txt': b'a' * 100, 'b.txt': b'b' * 100})
    assert identify(two) == filetypes.ZIP
    overlapping = patch_central(two, 1, offset=0)  # two names for the same compressed bytes
    assert refused(overlapping).message == ZIP_BOMB
    inflated = patch_central(two, 0, unpacked=0xFFFFFFF0)  # declares 4 GiB out of a few hundred bytes
    assert refused(inflated).reason == 'zip'
    monkeypatch.setattr(filetypes, 'MAX_ZIP_ENTRIES', 3)
    assert refused(plain_zip({f'{i}.txt': b'x' for i in range(4)})).reason == 'zip'


def test_refusal_is_a_validation_error_of_the_file_field() -> None:
    error = refused(b'\x7fELF' + b'\x00' * 60)
    assert isinstance(error, ValidationError) and error.errors == {'file': DANGEROUS}
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.reason, copy.errors) == ('dangerous', {'file': DANGEROUS})


# --- reading only what is needed ---------------------------------------------------------------------------------

class CountingReader:
    """A binary stream that counts the bytes handed out."""

    def __init__(self, fp) -> None:
        self.fp, self.bytes_read = fp, 0

    def read(self, size: int = -1) -> bytes:
        data = self.fp.read(size)
        self.bytes_read += len(data)
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.fp.seek(offset, whence)

    def tell(self) -> int:
        return self.fp.tell()

    def seekable(self) -> bool:
        return True


MB = 1024 * 1024


def _write_sparse_pdf(path: Path) -> None:
    with open(path, 'wb') as out:
        out.write(b'%PDF-1.7\n%\xe2\xe3\xcf\xd3\n')
        out.seek(50 * MB - 6)
        out.write(b'%%EOF\n')


def _write_zip(path: Path) -> None:
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_STORED) as archive, archive.open('extrato.bin', 'w') as entry:
        for _ in range(20):
            entry.write(bytes(MB))


def _write_csv(path: Path) -> None:
    with open(path, 'wb') as out:
        out.write('Nome;Valor\n'.encode())
        out.write('João;1,00\n'.encode() * (20 * MB // 11))


def _write_xml(path: Path) -> None:
    with open(path, 'wb') as out:
        out.write(b'<?xml version="1.0"?><lote xmlns="http://www.portalfiscal.inf.br/nfe">')
        out.write(b'<NFe><cNF>1</cNF></NFe>' * (20 * MB // 23))
        out.write(b'</lote>\n')


@pytest.mark.parametrize(('write', 'expected'), [(_write_sparse_pdf, filetypes.PDF), (_write_zip, filetypes.ZIP),
                                                 (_write_csv, filetypes.CSV), (_write_xml, filetypes.NFE_XML)],
                         ids=['pdf-50mb-sparse', 'zip-20mb', 'csv-20mb', 'xml-20mb'])
def test_a_large_file_is_checked_without_being_read_whole(tmp_path: Path, write, expected: FileType) -> None:
    path = tmp_path / 'grande'
    write(path)
    try:
        with open(path, 'rb') as fp:
            counting = CountingReader(fp)
            assert identify(counting) == expected
        assert path.stat().st_size >= 20 * MB
        assert counting.bytes_read <= 600 * 1024
    finally:
        path.unlink()


def test_a_stream_is_left_where_it_was_and_must_be_seekable() -> None:
    stream = io.BytesIO(NFE.encode())
    stream.seek(5)
    assert identify(stream) == filetypes.NFE_XML and stream.tell() == 5

    class Pipe(io.RawIOBase):
        def readable(self) -> bool:
            return True

    with pytest.raises(ValueError):
        identify(Pipe())


# --- names -----------------------------------------------------------------------------------------------------------

def test_clean_name_strips_paths_and_drive_letters() -> None:
    assert clean_name('../../etc/passwd') == 'passwd'
    assert clean_name('C:\\Users\\x\\a.pdf') == 'a.pdf'
    assert clean_name('C:a.pdf') == 'a.pdf'
    assert clean_name('\\\\servidor\\share\\Folha 10-2026.xlsx') == 'Folha 10-2026.xlsx'
    assert clean_name('/') == 'arquivo' and clean_name('..') == 'arquivo' and clean_name('') == 'arquivo'
    assert clean_name(None) == 'arquivo' and clean_name(['a.pdf']) == 'arquivo'


def test_clean_name_removes_bidi_zero_width_and_control_characters() -> None:
    assert clean_name('fatura\u202efdp.exe') == 'faturafdp.exe'
    assert clean_name('\u202egpj.exe') == 'gpj.exe'
    assert clean_name('nota\u200b\u2066fiscal\u2069\ufeff.pdf') == 'notafiscal.pdf'
    assert clean_name('a\x00b\x1f\x85c\u2028\u2029.pdf') == 'abc.pdf'
    assert clean_name('\U000e0041tag\ue000.pdf') == 'tag.pdf'  # tag character (Cf) and private use


def test_clean_name_collapses_whitespace_normalises_and_keeps_windows_happy() -> None:
    assert clean_name('  Guia \u00a0 DAS\u2003 10.pdf  ') == 'Guia DAS 10.pdf'
    assert clean_name('Jose\u0301.pdf') == 'José.pdf'
    assert clean_name('nota: "fiscal" <1>?*.pdf') == 'nota fiscal 1.pdf'
    assert clean_name('CON.txt') == '_CON.txt' and clean_name('aux') == '_aux'
    assert clean_name('relatório. . .') == 'relatório'


def test_a_300_character_name_is_cut_keeping_the_extension() -> None:
    name = clean_name('Ç' * 300 + '.pdf')
    assert len(name) == filetypes.MAX_NAME and name.endswith('Ç.pdf')
    assert len(clean_name('x' * 300)) == filetypes.MAX_NAME
    assert clean_name('a' * 116 + ' .' + 'b' * 3) == 'a' * 116 + '.bbb'


def test_storage_uses_the_same_name_cleaning() -> None:
    for name in ('C:\\Users\\x\\a.pdf', '  a   b.pdf', 'x' * 300 + '.pdf', 'fatura\u202efdp.exe'):
        assert storage.safe_display_name(name) == clean_name(name)
    assert storage.safe_display_name(None, 'anexo') == 'anexo'


def test_download_name_adds_the_extension_the_content_has() -> None:
    assert download_name('nota.pdf', filetypes.PDF) == 'nota.pdf'
    assert download_name('nota.exe', filetypes.PDF) == 'nota.exe.pdf'
    assert download_name('\u202efdp.exe', filetypes.PNG) == 'fdp.exe.png'
    assert download_name('instalar.bat', filetypes.TXT) == 'instalar.bat.txt'
    assert download_name('Extrato.CSV', filetypes.CSV) == 'Extrato.CSV'
    assert download_name('retorno.RET', filetypes.TXT) == 'retorno.RET'
    assert download_name('contrato.docx', filetypes.ZIP) == 'contrato.docx.zip'
    assert len(download_name('y' * 300 + '.exe', filetypes.PDF)) <= filetypes.MAX_NAME
