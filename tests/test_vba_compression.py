"""MS-OVBA compression (mplan_xl.excel.vba.compression) against the specification and Excel-made files.

Independent checks: the byte arrays published in [MS-OVBA] section 3.2, the
decompressor of oletools (``olevba.decompress_stream``) and the compressed
modules of the Excel-made workbooks that ship with xlwings.
"""

from __future__ import annotations

import io
import random
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oletools.olevba import VBA_Parser, decompress_stream

from mplan_xl.excel.vba import read_vba_modules
from mplan_xl.excel.vba.compression import CHUNK_SIZE, _bit_count, compress, decompress

XLWINGS_DIR = Path(__import__("xlwings").__file__).parent
EXCEL_FILES = [
    XLWINGS_DIR / "quickstart_standalone.xlsm",
    XLWINGS_DIR / "quickstart_addin.xlam",
    XLWINGS_DIR / "addin" / "xlwings.xlam",
]

# [MS-OVBA] 3.2.1 No Compression Example
NO_COMPRESSION = (
    b"abcdefghijklmnopqrstuv.",
    "01 19 B0 00 61 62 63 64 65 66 67 68 00 69 6A 6B 6C 6D 6E 6F 70 00 71 72 73 74 75 76 2E",
)
# [MS-OVBA] 3.2.2 Normal Compression Example, as published in the current
# revision of the specification (learn.microsoft.com).
NORMAL_COMPRESSION = (
    b"#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa",
    "01 2F B0 00 23 61 61 61 62 63 64 65 82 66 00 70 61 67 68 69 6A 01 38 08 61 6B 6C 00 20 6D 6E 6F"
    " 70 06 71 02 70 04 00 72 73 74 75 76 10 77 78 79 7A 00 2C",
)
# Earlier revisions (the PDF) printed three CopyTokens with other offsets for
# the same string: not what the algorithm's nearest-longest-match rule gives,
# but a valid container all the same.
NORMAL_COMPRESSION_OLD_REVISION = (
    "01 2F B0 00 23 61 61 61 62 63 64 65 82 66 00 70 61 67 68 69 6A 01 38 08 61 6B 6C 00 30 6D 6E 6F"
    " 70 06 71 02 70 04 10 72 73 74 75 76 10 77 78 79 7A 00 3C"
)
# [MS-OVBA] 3.2.3 Maximum Compression Example: 73 times "a".
MAXIMUM_COMPRESSION = (b"a" * 73, "01 03 B0 02 61 45 00")


@pytest.mark.parametrize("plain, hex_bytes", [NO_COMPRESSION, NORMAL_COMPRESSION, MAXIMUM_COMPRESSION],
                         ids=["no-compression", "normal", "maximum"])
def test_specification_examples(plain: bytes, hex_bytes: str) -> None:
    expected = bytes.fromhex(hex_bytes)
    assert compress(plain) == expected
    assert decompress(expected) == plain
    assert bytes(decompress_stream(bytearray(expected))) == plain


def test_earlier_revision_of_normal_example_decompresses_to_same_text() -> None:
    assert decompress(bytes.fromhex(NORMAL_COMPRESSION_OLD_REVISION)) == NORMAL_COMPRESSION[0]


def test_copy_token_bit_split_follows_position() -> None:
    # ceil(log2(difference)) with a floor of 4 offset bits.
    assert [_bit_count(d) for d in (1, 2, 16, 17, 32, 33, 64, 65, 128, 129, 256, 257, 512, 513,
                                    1024, 1025, 2048, 2049, 4095, 4096)] == [
        4, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 12]


def _copy_tokens(compressed: bytes) -> list[tuple[int, int, int]]:
    """(position in chunk, offset, length) of every CopyToken of a single-chunk container."""
    header = int.from_bytes(compressed[1:3], "little")
    end = 3 + (header & 0x0FFF) + 1
    pos, out_len, tokens = 3, 0, []
    while pos < end:
        flags = compressed[pos]
        pos += 1
        for bit in range(8):
            if pos >= end:
                break
            if flags >> bit & 1:
                token = int.from_bytes(compressed[pos:pos + 2], "little")
                bits = _bit_count(out_len)
                length = (token & (0xFFFF >> bits)) + 3
                tokens.append((out_len, (token >> (16 - bits)) + 1, length))
                out_len += length
                pos += 2
            else:
                out_len += 1
                pos += 1
    return tokens


def test_maximum_match_length_shrinks_along_the_chunk() -> None:
    # A run at the start of a chunk fits one CopyToken of 4095 bytes (maximum
    # 4098 with 4 offset bits); the same run near the end of a chunk needs
    # tokens of at most (0xFFFF >> 12) + 3 = 18 bytes.
    assert compress(b"x" * CHUNK_SIZE) == bytes.fromhex("01 03 B0 02 78 FC 0F")
    data = _de_bruijn_like(4000) + b"y" * 96
    compressed = compress(data)
    assert decompress(compressed) == data
    assert bytes(decompress_stream(bytearray(compressed))) == data
    late = [(position, length) for position, _, length in _copy_tokens(compressed) if position >= 4000]
    assert len(late) >= 5
    assert max(length for _, length in late) == 18
    for position, _, length in _copy_tokens(compressed):
        assert length <= (0xFFFF >> _bit_count(position)) + 3


def test_incompressible_chunks_are_written_raw() -> None:
    # No 3-byte sequence repeats, so every byte is a literal: 4096 literals
    # need 4608 bytes and the chunk is stored raw (header 0x3FFF).
    data = _de_bruijn_like(2 * CHUNK_SIZE)
    compressed = compress(data)
    assert compressed[1:3] == b"\xff\x3f"
    assert compressed[3 + CHUNK_SIZE:5 + CHUNK_SIZE] == b"\xff\x3f"
    assert decompress(compressed) == data


def test_short_final_raw_chunk_is_padded_as_the_specification_says() -> None:
    data = _de_bruijn_like(3700)  # 3700 literals need 4163 bytes: raw, padded to 4096
    compressed = compress(data)
    assert compressed[1:3] == b"\xff\x3f" and len(compressed) == 1 + 2 + CHUNK_SIZE
    assert decompress(compressed) == data + bytes(CHUNK_SIZE - 3700)


def test_empty_input() -> None:
    assert compress(b"") == b"\x01"
    assert decompress(b"\x01") == b""


@pytest.mark.parametrize("bad", [b"", b"\x02\x00\xb0", b"\x01\x00\x00", b"\x01\x03\xb0\x02\x61\x05\xf0"])
def test_malformed_containers_are_rejected(bad: bytes) -> None:
    with pytest.raises(ValueError):
        decompress(bad)


def _de_bruijn_like(n: int) -> bytes:
    """n bytes in which no 3-byte sequence occurs twice (a walk of a de Bruijn sequence)."""
    out = bytearray([0, 0])
    seen = {(0, 0, 0)}
    a, b = 0, 0
    while len(out) < n:
        for c in range(255, -1, -1):
            if (a, b, c) not in seen:
                seen.add((a, b, c))
                out.append(c)
                a, b = b, c
                break
        else:  # pragma: no cover - cannot happen for n below 16 million
            raise AssertionError("de Bruijn walk stuck")
    return bytes(out[:n])


def _expected_round_trip(data: bytes, compressed: bytes) -> bytes:
    """*data*, plus the zero padding of a final raw chunk when the compressor had to write one."""
    pos = 1
    last_raw = False
    while pos < len(compressed):
        header = int.from_bytes(compressed[pos:pos + 2], "little")
        last_raw = not header & 0x8000
        pos += 2 + (CHUNK_SIZE if last_raw else (header & 0x0FFF) + 1)
    remainder = len(data) % CHUNK_SIZE
    if last_raw and remainder:
        return data + bytes(CHUNK_SIZE - remainder)
    return data


def _round_trip(data: bytes) -> None:
    compressed = compress(data)
    expected = _expected_round_trip(data, compressed)
    assert decompress(compressed) == expected
    assert bytes(decompress_stream(bytearray(compressed))) == expected
    if expected is data:
        assert len(compressed) <= 1 + len(data) + -(-len(data) // 8) + 2 * -(-len(data) // CHUNK_SIZE)


sizes_near_chunks = st.one_of(
    st.integers(0, 300),
    st.sampled_from([CHUNK_SIZE * k + d for k in (1, 2) for d in (-17, -3, -2, -1, 0, 1, 2, 3, 17)]),
    st.integers(CHUNK_SIZE - 600, 3 * CHUNK_SIZE + 600),
)


# Inputs of several kilobytes are drawn from a seeded generator: Hypothesis
# chooses the seed, the size and the alphabet, and reports them on failure.
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), size=sizes_near_chunks)
def test_round_trip_random_bytes(seed: int, size: int) -> None:
    _round_trip(random.Random(seed).randbytes(size))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), size=sizes_near_chunks, alphabet=st.binary(min_size=1, max_size=4))
def test_round_trip_small_alphabets(seed: int, size: int, alphabet: bytes) -> None:
    _round_trip(bytes(random.Random(seed).choices(alphabet, k=size)))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pattern=st.binary(min_size=1, max_size=40), size=sizes_near_chunks, noise=st.lists(
    st.tuples(st.integers(0, 20000), st.integers(0, 255)), max_size=5))
def test_round_trip_repeated_patterns(pattern: bytes, size: int, noise: list[tuple[int, int]]) -> None:
    data = bytearray((pattern * (size // len(pattern) + 1))[:size])
    for pos, value in noise:  # a few changed bytes break the runs at random places
        if pos < size:
            data[pos] = value
    _round_trip(bytes(data))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet="ab \r\n\tDimSubEnd()=\"'", min_size=0, max_size=9000))
def test_round_trip_vba_like_text(text: str) -> None:
    _round_trip(text.encode("cp1252"))


def test_xlwings_bas_compresses_fast() -> None:
    source = (XLWINGS_DIR / "xlwings.bas").read_bytes()
    start = time.perf_counter()
    compressed = compress(source)
    elapsed = time.perf_counter() - start
    assert decompress(compressed) == source
    assert len(compressed) < len(source) / 2
    assert elapsed < 1.0, f"compressing xlwings.bas ({len(source)} bytes) took {elapsed:.2f} s"


def _vba_project(path: Path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read("xl/vbaProject.bin")


@pytest.mark.parametrize("path", EXCEL_FILES, ids=lambda p: p.name)
def test_modules_of_excel_made_files(path: Path) -> None:
    project = _vba_project(path)
    ours = read_vba_modules(project)
    parser = VBA_Parser(str(path) + "/vbaProject.bin", data=project)
    theirs = {stream_path.split("/")[-1]: code for _, stream_path, _, code in parser.extract_macros()}
    assert ours == theirs
    assert len(ours) >= 4
    for name, text in ours.items():
        raw = text.encode("cp1252")
        again = compress(raw)
        assert decompress(again) == raw, name
        assert bytes(decompress_stream(bytearray(again))) == raw, name


def test_reading_the_whole_workbook_zip_reads_its_project() -> None:
    path = EXCEL_FILES[0]
    assert read_vba_modules(path.read_bytes()) == read_vba_modules(_vba_project(path))
    with pytest.raises(ValueError):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("xl/workbook.xml", "<workbook/>")
        read_vba_modules(buffer.getvalue())


def test_large_module_speed_figure() -> None:
    """The 117 KB WebHelpers.bas of the xlwings add-in stays well under a second too."""
    source = (XLWINGS_DIR / "addin" / "WebHelpers.bas").read_bytes()
    start = time.perf_counter()
    compressed = compress(source)
    elapsed = time.perf_counter() - start
    assert decompress(compressed) == source
    assert len(source) > 100_000
    assert elapsed < 1.5, f"compressing WebHelpers.bas ({len(source)} bytes) took {elapsed:.2f} s"
