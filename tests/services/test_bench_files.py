"""Smoke test of bench/files.py's own pieces with tiny sizes (the benchmark itself is never run by the suite): the
streamed PDF is exactly the size asked and passes the type check by content, the multipart body is one file part,
the seeded folder is what the integrity check and files.search see, and the memory and disk watchers read this
process."""
from __future__ import annotations

import os
from pathlib import Path

from python_multipart.multipart import MultipartParser

from bench import files as bench_files, seed
from conton import config
from conton.services import filetypes
from tests.helpers import wait_until_sync


def test_streamed_pdf_has_the_exact_size_and_is_a_pdf_by_content(tmp_path) -> None:
    for size in (200, 1024 * 1024 + 7, 3 * 1024 * 1024):
        data = b''.join(bench_files.pdf_stream(size))
        assert len(data) == size
        path = tmp_path / 'x.pdf'
        path.write_bytes(data)
        assert filetypes.identify(path).mime == 'application/pdf'


def test_multipart_body_is_one_file_part() -> None:
    parts: list[str] = []
    sizes = [0]
    parser = MultipartParser(bench_files.BOUNDARY.encode(), {
        'on_part_begin': lambda: parts.append('part'),
        'on_part_data': lambda data, start, end: sizes.__setitem__(0, sizes[0] + end - start)})
    for piece in bench_files.multipart_parts(5000):
        parser.write(piece)
    assert parts == ['part'] and sizes[0] == 5000


def test_seeded_folder_is_checked_and_listed() -> None:
    seed.office_and_admin()
    client_id, folder_id = bench_files.seed_files(40)
    assert 'files in' in bench_files.integrity(40) and 'all match' in bench_files.integrity(40)
    text = bench_files.service_search(client_id, folder_id, 'guia das 00021', 2)
    assert '30 rows shown of 40' in text and '1 rows shown of 1' in text
    assert 'SQL' in text


def test_watchers_read_this_process(tmp_path) -> None:
    with bench_files.Memory(os.getpid()) as memory:
        block = bytearray(8 * 1024 * 1024)
        block[::4096] = b'x' * len(block[::4096])
    assert memory.peak >= memory.before and memory.growth_mb >= 0
    data = Path(config.get_settings().data_dir)
    (data / 'tmp').mkdir(parents=True, exist_ok=True)
    with bench_files.DiskWatch(os.getpid(), data) as disk:
        with open(data / 'tmp' / 'held.bin', 'wb') as f:
            f.write(b'\0' * 300_000)
            f.flush()
            wait_until_sync(lambda: disk.peak >= 300_000, 'the watcher sees the open file')
    os.unlink(data / 'tmp' / 'held.bin')
    assert disk.peak >= 300_000
