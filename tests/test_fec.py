"""Reading FEC exports as accounting programs write them, and refusing what is not one, with the line and column."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from mplan_xl.year.fec import FecError, parse_fec

HEADER = ["JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum", "CompteLib", "CompAuxNum",
          "CompAuxLib", "PieceRef", "PieceDate", "EcritureLib", "Debit", "Credit", "EcritureLet", "DateLet",
          "ValidDate", "Montantdevise", "Idevise"]


def piece(number: str, date: str, account: str, net: str, *, supplier: str = "Imprimerie Vallorin",
          label: str = "Affiches", ref: str = "FA-1") -> list[list[str]]:
    """An invoice as real exports write it: the expense, the VAT and the supplier's 401 line (with the aux account)."""
    def line(acc, acc_label, aux, aux_label, debit, credit):
        return ["AC", "Achats", number, date, acc, acc_label, aux, aux_label, ref, date, label, debit, credit,
                "", "", date, "", ""]
    return [line(account, "Publicité", "", "", net, "0,00"),
            line("445660", "TVA déductible", "", "", "1,00", "0,00"),
            line("401000", "Fournisseurs", "401VALLO", supplier, "0,00", "1,00")]


def fec_bytes(rows, *, sep="\t", encoding="utf-8", header=HEADER, bom=False) -> bytes:
    text = "\r\n".join(sep.join(r) for r in [header, *rows]) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)


@pytest.mark.parametrize("sep", ["\t", "|"])
@pytest.mark.parametrize("encoding", ["utf-8", "iso-8859-15", "cp1252"])
def test_separators_and_encodings_of_real_exports(sep, encoding):
    rows = piece("12", "20270315", "623600", "1 200,50", supplier="Société Générale d'Impression €")
    fec = parse_fec(fec_bytes(rows, sep=sep, encoding=encoding))
    assert fec.separator == sep
    [entry] = fec.entries
    assert entry.amount == 1200.5 and entry.date == dt.date(2027, 3, 15) and entry.line == 2
    # The supplier stands on the 401 line of the same piece, not on the expense line.
    assert entry.supplier == "Société Générale d'Impression €" and entry.supplier_code == "401VALLO"
    assert fec.other_lines == 2


def test_bom_decimal_point_and_lowercase_header():
    rows = [r[:11] + [v.replace(",", ".") for v in r[11:13]] + r[13:] for r in piece("1", "20270102", "623100", "99.90")]
    fec = parse_fec(fec_bytes(rows, header=[h.lower() for h in HEADER], bom=True))
    assert fec.entries[0].amount == Decimal("99.90")


def test_montant_sens_variant_and_credit_notes():
    header = HEADER[:11] + ["Montant", "Sens"] + HEADER[13:]
    base = ["AC", "Achats", "7", "20270410", "623100", "Pub", "", "", "AV-1", "20270410", "Avoir"]
    rows = [base + ["150,00", "C"] + [""] * 5, base[:2] + ["8"] + base[3:] + ["80,00", "+1"] + [""] * 5,
            base[:2] + ["9"] + base[3:] + ["20,00", "-1"] + [""] * 5]
    fec = parse_fec(fec_bytes(rows, header=header))
    assert [e.amount for e in fec.entries] == [-150.0, 80.0, -20.0]


def test_debit_minus_credit_is_the_spend():
    rows = piece("3", "20270601", "623400", "0,00")
    rows[0][12] = "75,00"   # a credit on the expense account: a credit note
    assert parse_fec(fec_bytes(rows)).entries[0].amount == -75.0


def test_labels_with_the_separators_neighbours_and_quoted_fields():
    rows = piece("4", "20270505", "623100", "10,00", label="Salon ; stand, 9 m² « Saveurs »")
    rows[1][10] = '"Quoted\tlabel with a tab"'
    fec = parse_fec(fec_bytes(rows))
    assert fec.entries[0].label == "Salon ; stand, 9 m² « Saveurs »"
    assert fec.other_lines == 2


def problems(data: bytes) -> list[tuple[int, str | None, str]]:
    with pytest.raises(FecError) as caught:
        parse_fec(data, "FEC.txt")
    return [(p.line, p.column, p.text("en")) for p in caught.value.problems]


def test_a_line_with_an_extra_field_is_located():
    rows = piece("5", "20270505", "623100", "10,00")
    rows[2].append("oops")
    [(line, column, text)] = problems(fec_bytes(rows))
    assert (line, column) == (4, None) and "19 fields instead of 18" in text


def test_bad_date_and_bad_amount_are_located_by_line_and_column():
    rows = piece("5", "2027-13-45", "623100", "10,00") + piece("6", "20270505", "623100", "douze")
    found = problems(fec_bytes(rows))
    assert (2, "EcritureDate") == found[0][:2] and "unreadable date '2027-13-45'" in found[0][2]
    assert (5, "Debit") in [f[:2] for f in found]
    assert len(found) == 4   # the date is wrong on the whole first piece; the amount on one expense line


def test_not_a_fec():
    assert "no FEC header" in problems(b"name;amount\nfoo;12\n")[0][2]
    assert "empty" in problems(b"  \n")[0][2]
    assert "not a text file" in problems(b"PK\x03\x04\x00\x00binary")[0][2]


def test_the_list_of_problems_is_short_and_the_message_says_nothing_was_imported():
    rows = [r for n in range(30) for r in piece(str(n), "2027xx01", "623100", "1,00")]
    with pytest.raises(FecError) as caught:
        parse_fec(fec_bytes(rows), "FEC.txt")
    assert len(caught.value.problems) == 10
    lines = caught.value.lines("fr")
    assert lines[0] == "FEC.txt : FEC illisible, rien n'a été importé (10 problème(s))"
    assert lines[1] == "  ligne 2, colonne EcritureDate : date « 2027xx01 » illisible (attendu AAAAMMJJ)"


def test_a_large_fec_leaves_its_entries_to_no_young_collection():
    """Issue 22: the read keeps the cyclic garbage collector off, then hands what it made to the oldest generation.
    Before, the first young collection after the read scanned every object of the parse (half a second on a FEC
    of 1,000,000 lines, 77,000 objects for 20,000 pieces)."""
    import gc

    rows = [row for i in range(20_000) for row in piece(f"{i}", "20270315", "623100", f"{i % 900 + 100},50",
                                                          ref=f"FA-{i}")]
    data = fec_bytes(rows)
    scanned: list[int] = []

    def watch(phase: str, info: dict) -> None:
        if phase == "start":
            scanned.append(sum(len(gc.get_objects(g)) for g in range(info["generation"] + 1)))

    gc.collect()
    gc.callbacks.append(watch)
    try:
        fec = parse_fec(data)
        [object() for _ in range(2_000)]   # what the command does next: a young collection or two
        gc.collect(0)
    finally:
        gc.callbacks.remove(watch)
    assert len(fec.entries) == 20_000 and fec.entries[-1].supplier == "Imprimerie Vallorin"
    assert max(scanned) < 5_000, scanned
