"""The plain reading of a FEC (column by column, in blocks of the text) gives exactly what the line-by-line reading
gives: the same entries to the cent, the same warnings, the same refusals with their lines and columns."""

from __future__ import annotations

from unittest import mock

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import mplan_xl.year.fec as fec_module
from mplan_xl.workbook.demo import demo_plan
from mplan_xl.workbook.demo_fec import demo_fec_text
from mplan_xl.year.fec import FecError, parse_fec

from conftest import YEAR
from test_fec import HEADER, fec_bytes, piece


def outcome(data: bytes) -> tuple:
    """All that parse_fec gives, amounts written out (Decimal('1.5') == Decimal('1.50'), their texts differ)."""
    try:
        fec = parse_fec(data, "FEC.txt")
    except FecError as err:
        return "refused", [(p.line, p.column, p.text("en")) for p in err.problems]
    return ("read", [(*entry[:-1], str(entry.amount)) for entry in fec.entries], fec.other_lines, fec.encoding,
            fec.separator, fec.decimal, sorted(fec.months), [w.text("en") for w in fec.warnings])


def both_readings(data: bytes, block: int = fec_module._BLOCK) -> tuple[tuple, tuple, bool]:
    """The outcome of parse_fec read in blocks of *block* characters, that of the line-by-line reading alone, and
    whether the plain reading took the file."""
    plain_read = []
    real = fec_module._read_plain

    def spy(*args):
        read = real(*args)
        plain_read.append(read is not None)
        return read

    with mock.patch.object(fec_module, "_BLOCK", block), mock.patch.object(fec_module, "_read_plain", spy):
        plain = outcome(data)
    with mock.patch.object(fec_module, "_read_plain", lambda *args: None):
        lines = outcome(data)
    return plain, lines, plain_read == [True]


def test_the_demo_fec_is_read_column_by_column_and_as_line_by_line():
    data = demo_fec_text(demo_plan(year=YEAR), extra_pieces=400).encode("utf-8")
    for block in (fec_module._BLOCK, 500, 40):   # blocks of many lines, of a few, of one each
        plain, lines, taken = both_readings(data, block)
        assert taken and plain == lines
        assert len(plain[1]) > 100


def test_a_piece_named_in_another_block_gives_its_first_supplier():
    # The supplier of piece 7 comes two blocks after its expense line; piece 8 is named twice, the first one stays.
    rows = (piece("7", "20270315", "623100", "100,00")[:1] + piece("8", "20270316", "623100", "5,00", supplier="A")
            + piece("8", "20270316", "445660", "1,00", supplier="B")[2:] + piece("7", "20270315", "623100", "1,00")[2:])
    plain, lines, taken = both_readings(fec_bytes(rows), block=150)
    assert taken and plain == lines
    assert [(e[0], e[7]) for e in plain[1]] == [(2, "Imprimerie Vallorin"), (3, "A")]


def test_a_long_line_whose_fields_fit_is_read_and_a_long_field_is_located():
    fit = piece("1", "20270315", "623100", "10,00", label="x" * 20_000, ref="y" * 20_000)
    plain, lines, taken = both_readings(fec_bytes(fit + fit))
    assert taken and plain == lines and plain[0] == "read"
    too_long = piece("1", "20270315", "623100", "10,00", label="x" * 40_000)
    plain, lines, taken = both_readings(fec_bytes(fit + too_long))
    assert not taken and plain == lines
    assert plain[1][0][:2] == (5, "EcritureLib")


PLAIN = {"journal": ["AC", "BQ"], "number": ["1", "2", "17"], "date": ["20270315", "20270101", "2027-06-30"],
         "account": ["623100", "622600", "6", "445660", "401000"],
         "text": ["", "Imprimerie Vallorin", " Pixelmarée ", "Société d'Impression €", "a\u00a0b"],
         "amount": ["0,00", "", "1200,50", "-75,5", "12", "7,25"], "sens": ["D", "C", "+1", "-1", " d "]}
HOSTILE = {"journal": ["AC", "", "x\x07"], "number": ["1", "2", ""], "date": ["20271301", "x", "", "20270315"],
           "account": ["623100", " 6231", "", "401000"], "text": ['dit "le"', "x\x07y", "\ufffe", "é" * 3],
           "amount": ["99.90", "1 234,56", "5,920.00", "NaN", "1,234", " 3,00 ", "1,005"], "sens": ["X", "", "D"]}
KINDS = {"JournalCode": "journal", "EcritureNum": "number", "EcritureDate": "date", "CompteNum": "account",
         "Debit": "amount", "Credit": "amount"}


@st.composite
def fecs(draw) -> bytes:
    """A FEC of a few pieces: its columns in any order, debit and credit or amount and direction, each field plain
    or, now and then, what the plain reading must leave to the line-by-line one (a quote, a control character,
    an unreadable date or amount, a line of another field count, a blank line)."""
    header = draw(st.permutations(HEADER))
    sens = draw(st.booleans())
    if sens:
        header = [{"Debit": "Montant", "Credit": "Sens"}.get(name, name) for name in header]
    hostile = draw(st.booleans())
    pool = {**PLAIN, **({} if not hostile else {k: PLAIN[k] + HOSTILE[k] for k in HOSTILE})}
    lines = []
    for _ in range(draw(st.integers(1, 12))):
        values = {name: draw(st.sampled_from(pool[KINDS.get(name, "text")])) for name in HEADER}
        if sens:
            values["Montant"], values["Sens"] = values["Debit"], draw(st.sampled_from(pool["sens"]))
        line = [values[name] for name in header]
        if hostile and draw(st.integers(0, 9)) == 0:
            line = draw(st.sampled_from([line + ["x"], line[:-1], [], ["  "]]))
        lines.append(line)
    separator = draw(st.sampled_from(["\t", "|"]))
    text = "\n".join(separator.join(line) for line in [header, *lines])
    return (text + draw(st.sampled_from(["", "\n", "\r\n", "\n\n"]))).encode("utf-8")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fecs(), st.sampled_from([fec_module._BLOCK, 300, 60]))
def test_any_fec_is_read_column_by_column_as_line_by_line(data, block):
    plain, lines, taken = both_readings(data, block)
    assert plain == lines
    event("read column by column" if taken else "read line by line")
