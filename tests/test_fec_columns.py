"""A large FEC is read column by column (pandas' C parser cuts its lines), a small one or one with a line to refuse
line by line: both readings give the same entries, warnings and refusals, word for word, on every kind of file."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mplan_xl.workbook.demo import demo_plan
from mplan_xl.workbook.demo_fec import demo_fec_text
from mplan_xl.year import fec as fec_module
from mplan_xl.year.fec import FecError, parse_fec

from conftest import YEAR
from test_fec import HEADER, fec_bytes, piece


def read(data: bytes, *, columns: bool) -> tuple[object, int]:
    """What parse_fec gives (the Fec, or the refusal as printed in both languages) and how many line passes it ran;
    *columns*: the column pass tried on any file, in chunks of 7 lines (else: the line pass alone)."""
    calls = []
    line_pass = fec_module._line_pass

    def counted(*args):
        calls.append(1)
        return line_pass(*args)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fec_module, "_line_pass", counted)
        patch.setattr(fec_module, "COLUMN_PASS_FROM", 0 if columns else 10**12)
        patch.setattr(fec_module, "CHUNK", 7)
        try:
            result: object = parse_fec(data, "f.txt")
        except FecError as err:
            result = (err.lines("fr"), err.lines("en"))
    return result, len(calls)


def same(data: bytes) -> tuple[object, int]:
    """Assert both readings agree; the result and the line passes of the column reading."""
    by_columns, passes = read(data, columns=True)
    by_lines, _ = read(data, columns=False)
    assert by_columns == by_lines
    return by_columns, passes


def test_the_demo_fec_is_read_column_by_column_with_the_same_entries():
    data = demo_fec_text(demo_plan(year=YEAR), extra_pieces=200).encode("utf-8")
    fec, passes = same(data)
    assert passes == 0 and len(fec.entries) > 100   # type: ignore[attr-defined]


def rows(seed: int, count: int = 60) -> list[list[str]]:
    rng = random.Random(seed)
    out = []
    for n in range(count):
        net = rng.choice(["12,00", "1 234,56", "0,5", "-3,10", "", "7"])
        out += piece(str(n), f"{YEAR}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}",
                     rng.choice(["623100", "622600", "6", "613200"]), net,
                     supplier=rng.choice(["Imprimerie Vallorin", "Éditions Papilles", ""]),
                     label=rng.choice(["Affiches", "Kakémono\x0b", "Flyers €", "Salon | stand"]).replace("|", "/"),
                     ref=rng.choice(["FA-1", "", "IV-7719"]))
    return out


ODD = {
    "clean": lambda r: r,
    "empty lines": lambda r: r[:5] + [[""], [""]] + r[5:],
    "a line of spaces": lambda r: r[:5] + [[" \u00a0 "]] + r[5:],
    "a bad date": lambda r: r[:40] + [r[40][:3] + ["20271301"] + r[40][4:]] + r[41:],
    "a bad amount": lambda r: r[:70] + [r[70][:11] + ["1,234.5"] + r[70][12:]] + r[71:],
    "an amount with three decimals and NaN": lambda r: r[:9] + [r[9][:11] + ["1,005"] + r[9][12:],
                                                                r[10][:12] + ["NaN"] + r[10][13:]] + r[11:],
    "an extra field": lambda r: r[:100] + [r[100] + ["x"]] + r[101:],
    "a quoted field": lambda r: r[:3] + [r[3][:10] + ['"Affiches, 2 000 ex."'] + r[3][11:]] + r[4:],
    "a field too long": lambda r: r[:30] + [r[30][:10] + ["a" * 40_000] + r[30][11:]] + r[31:],
    "control characters": lambda r: r[:20] + [r[20][:10] + ["Affiches\x1b\x07"] + r[20][11:]] + r[21:],
    "a NUL": lambda r: r[:150] + [r[150][:10] + ["Affiches\x00"] + r[150][11:]] + r[151:],   # past the 4 KiB screen
    "no supplier on the expense, one on a later line": lambda r: [x[:6] + ["", ""] + x[8:] for x in r[:2]] + r[2:],
    "no expense line": lambda r: [x for x in r if not x[4].startswith("6")],
}


@pytest.mark.parametrize("odd", ODD)
@pytest.mark.parametrize("sep, encoding, bom", [("\t", "utf-8", False), ("|", "utf-8", True),
                                                (";", "cp1252", False), ("\t", "iso-8859-15", False)])
def test_files_with_odd_lines_read_the_same_both_ways(odd, sep, encoding, bom):
    data = fec_bytes(ODD[odd](rows(len(odd))), sep=sep, encoding=encoding, bom=bom)
    result, passes = same(data)
    if odd in READ_BY_COLUMNS:
        assert passes == 0 and isinstance(result, fec_module.Fec), "nothing to refuse: read column by column"
    elif odd in ("a quoted field", "a NUL", "a line of spaces"):
        assert passes == 1 and isinstance(result, fec_module.Fec), "read line by line, as before"
    else:
        assert passes == 1 and isinstance(result, tuple), "a refusal is worded by the line pass"


READ_BY_COLUMNS = ("clean", "empty lines", "control characters",
                   "no supplier on the expense, one on a later line", "no expense line")


@pytest.mark.parametrize("ending", ["\n", "\r", "\r\n"])
@pytest.mark.parametrize("last", ["", "newline"])
@pytest.mark.parametrize("stray", [False, True])
def test_line_endings_a_missing_last_newline_and_a_stray_windows_byte(ending, last, stray):
    text = ending.join("\t".join(r) for r in [HEADER, *rows(3)]) + (ending if last else "")
    data = text.encode("utf-8").replace("Affiches".encode(), b"Affich\xe9s" if stray else "Affichés".encode(), 1)
    result, passes = same(data)
    assert isinstance(result, fec_module.Fec)
    assert any("Windows-1252" in w.message.en for w in result.warnings) == stray
    assert passes == stray, "a line decoded apart is read line by line, as before"


def test_montant_sens_and_decimal_point_layouts():
    header = [h for h in HEADER if h not in ("Debit", "Credit")] + ["Montant", "Sens"]
    body = [r[:11] + r[13:] + [r[11].replace(",", ".").replace(" ", ","), rng]
            for r, rng in zip(rows(5), ["D", "C", "+1", "-1", " d "] * 100)]
    result, passes = same(fec_bytes(body, header=header))
    assert passes == 0 and isinstance(result, fec_module.Fec)
    bad = body[:8] + [body[8][:-1] + ["X"]] + body[9:]
    assert same(fec_bytes(bad, header=header))[1] == 0   # a bad Sens is located on its expense line, as before


CONTROLS = [chr(c) for c in range(1, 32) if c not in (9, 10, 13)] + ["\x7f", "\x85", "\u2028", "\ufeff"]


@pytest.mark.parametrize("column", [0, 10])
def test_every_control_character_and_a_bom_at_a_line_start(column):
    body = rows(12)   # 36 lines: each character starts one
    for n, row in enumerate(body):
        row[column] = CONTROLS[n % len(CONTROLS)] + row[column] + CONTROLS[-1 - n % len(CONTROLS)]
    for first in range(7):   # each line the first of a chunk of 7 in turn
        result, passes = same(fec_bytes(body[first:] + body[:first]))
        assert isinstance(result, fec_module.Fec)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.one_of(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=8),
                                   st.sampled_from(["623100", "401000", f"{YEAR}0315", "1,00", "0.00", "1,234.50",
                                                    "1 000", "NaN", "", " ", '"', "\u2028", "\x80", "\x00"])),
                         min_size=18, max_size=18), max_size=20),
       st.sampled_from(["\t", "|"]), st.sampled_from(["utf-8", "cp1252"]))
def test_any_fec_reads_the_same_both_ways(body, sep, encoding):
    same("\n".join(sep.join(r) for r in [HEADER, *body]).encode(encoding, errors="replace"))
