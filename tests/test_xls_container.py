"""The compound document (OLE2) container of old .xls workbooks, as forecast.data.xls opens it to count cells.

xlwt (the fixtures' writer) pads the workbook stream to 4,096 bytes, so its files keep the stream in ordinary
sectors. A smaller stream lives in the container's mini stream; this test writes such a container by hand
(``cfb`` below, 512-byte sectors, version 3) around the stream of a fixture, and a damaged one whose sector
chain loops.
"""

from __future__ import annotations

import struct
from pathlib import Path

import pandas as pd
import pytest

from forecast.data.errors import DataError
from forecast.data.files import read_table
from forecast.data.xls import ole_stream

FIXTURE = Path(__file__).parent / "fixtures" / "national" / "good" / "export_liaoning.xls"
END, FREE, FATSECT, NONE = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF


def _entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
    raw = (name + "\0").encode("utf-16-le") if name else b""
    return (raw.ljust(64, b"\0") + struct.pack("<HBB3I", len(raw), kind, 1, NONE, NONE, child)
            + b"\0" * 36 + struct.pack("<IQ", start, size))


def cfb(stream: bytes, *, loop: bool = False) -> bytes:
    """A compound document holding ``stream`` (< 4,096 bytes) as 'Workbook' in its mini stream.

    Sectors: 0 the FAT, 1 the directory, 2 the mini FAT, 3… the mini stream. ``loop``: the mini stream's
    sector chain points back at its start."""
    assert len(stream) < 4096
    minis = -(-len(stream) // 64)
    container = stream.ljust(minis * 64, b"\0")
    sectors = -(-len(container) // 512)
    fat = [FATSECT, END, END] + [3 + k + 1 for k in range(sectors - 1)] + [3 if loop else END]
    minifat = list(range(1, minis)) + [END]
    header = (bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\0" * 6 + struct.pack("<9I", 0, 1, 1, 0, 4096, 2, 1, END, 0)
              + struct.pack("<109I", 0, *[FREE] * 108))
    directory = (_entry("Root Entry", 5, 1, 3, len(container)) + _entry("Workbook", 2, NONE, 0, len(stream))
                 + _entry("", 0, NONE, 0, 0) * 2)
    return b"".join([header, struct.pack("<128I", *fat, *[FREE] * (128 - len(fat))), directory,
                     struct.pack("<128I", *minifat, *[FREE] * (128 - len(minifat))),
                     container.ljust(sectors * 512, b"\0")])


def small_stream() -> bytes:
    """The fixture's workbook stream without xlwt's padding (2.5 KB of records)."""
    return ole_stream(FIXTURE.read_bytes()).rstrip(b"\0") + b"\0" * 3


def test_a_workbook_stream_in_the_mini_stream_is_read_like_the_fixture(tmp_path):
    stream = small_stream()
    path = tmp_path / "mini.xls"
    path.write_bytes(cfb(stream))
    assert ole_stream(path.read_bytes()) == stream
    pd.testing.assert_frame_equal(read_table(path).reset_index(drop=True), read_table(FIXTURE))


def test_a_sector_chain_that_loops_is_refused(tmp_path):
    path = tmp_path / "loop.xls"
    path.write_bytes(cfb(small_stream(), loop=True))
    with pytest.raises(DataError) as err:
        read_table(path)
    [problem] = err.value.problems
    assert problem.file == str(path) and "not a readable old .xls workbook (a sector chain is broken or loops)" \
        in problem.message
