"""A FEC another tool wrote (tests/fixtures/fec/README.md): read column by column exactly as line by line, every
expense line's amount to the cent as the file writes it, and its matching reconciled to the cent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from mplan_xl.year.actuals import BudgetLine, match_entries
from mplan_xl.year.fec import parse_fec

from test_fec_hardening import reconciles
from test_fec_plain import both_readings

ODOO = Path(__file__).parent / "fixtures" / "fec" / "odoo-123459254FEC20190430.txt"
#: Line 301 of the file ends with one tab too many (19 fields): the text once that tab is removed, as the message
#: that refuses the file asks.
STRAY = b"\t20190725\t\t\t\r\n"


def _fixed() -> bytes:
    data = ODOO.read_bytes()
    assert data.count(STRAY) == 1
    return data.replace(STRAY, b"\t20190725\t\t\r\n")


def _rows() -> list[list[str]]:
    """The file's lines after its header, cut at its tabs: a reading that shares nothing with parse_fec."""
    return [line.split("\t") for line in _fixed().decode("utf-8").splitlines()[1:]]


def _cents(text: str) -> Decimal:
    return Decimal(text.replace(",", ".") or "0")


def test_odoos_demo_fec_is_refused_at_its_line_of_19_fields_then_read_column_by_column_as_line_by_line():
    plain, lines, taken = both_readings(ODOO.read_bytes())
    assert not taken and plain == lines
    assert plain == ("refused", [(301, None, "line 301: 19 fields instead of 18 (does a label contain the separator?)")])
    plain, lines, taken = both_readings(_fixed())
    assert taken and plain == lines and plain[0] == "read"


def test_odoos_demo_fec_gives_every_expense_line_to_the_cent():
    fec = parse_fec(_fixed(), ODOO.name)
    rows = _rows()
    expected = [(n, row[4], _cents(row[11]) - _cents(row[12]))
                for n, row in enumerate(rows, start=2) if row[4].startswith("6")]
    assert [(e.line, e.account, e.amount) for e in fec.entries] == expected
    assert fec.other_lines == len(rows) - len(expected) and fec.decimal == "," and fec.encoding == "utf-8"
    assert any("\ufffd" in e.label for e in fec.entries)   # what the exporting tool wrote, kept as it is
    # A supplier named on the piece's 401 line only is given to its expense lines.
    assert {e.supplier for e in fec.entries if (e.journal, e.number) == ("ACH", "ACH000012")} == {"124 SOLUTION"}


def test_matching_odoos_demo_fec_reconciles_to_the_cent():
    fec = parse_fec(_fixed(), ODOO.name)
    result = match_entries(fec.entries, [BudgetLine("L001", supplier="124 Solution"),
                                         BudgetLine("L002", supplier="partner01")],
                           year=2018, as_of=dt.date(2018, 12, 31), other_lines=fec.other_lines)
    reconciles(result.to_dict())
    # Each line's total, worked out from the file alone: the 2018 expense lines of the pieces whose 401 line
    # names the supplier.
    rows = _rows()
    named = {(r[0], r[2]): r[7] for r in rows if r[6] or r[7]}
    for line_id, supplier in (("L001", "124 SOLUTION"), ("L002", "PARTNER01")):
        expected = sum((_cents(r[11]) - _cents(r[12]) for r in rows if r[4].startswith("6") and r[3] < "20190101"
                        and named.get((r[0], r[2])) == supplier), Decimal(0))
        assert expected and result.lines[line_id].total == expected, line_id
