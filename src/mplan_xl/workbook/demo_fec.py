"""A FEC export of the demo company's accounts, to try ``mplan-xl actuals`` on the demo plan.

It books, for each budget line of the plan with an actual amount, the
supplier's invoices as real accounting programs export them: one piece per
invoice with the expense line (6xxx, excluding VAT), the deductible VAT
(44566) and the supplier's line (401, which carries the auxiliary account),
then its payment (401 / 512). It is made so that every matching rule of
:mod:`mplan_xl.year.actuals` has work to do: invoices carrying the quote
reference, invoices found by their supplier alone, a credit note, marketing
expenses that no budget line claims (listed as unmatched), other expenses
and an entry of the previous year (ignored).

``extra_pieces`` adds that many further ordinary pieces (rent, energy,
sales), for the speed benchmark of a large FEC.

It imports no Excel library.

Example:
    >>> from mplan_xl.workbook.demo import demo_plan
    >>> text = demo_fec_text(demo_plan(year=2027))
    >>> text.splitlines()[0].split("\\t")[:4]
    ['JournalCode', 'JournalLib', 'EcritureNum', 'EcritureDate']
"""

from __future__ import annotations

import datetime as dt
import os
import random
from collections import Counter
from pathlib import Path

from ..core.atomic import atomic_output
from ..core.plan import Plan
from .demo_data import IN_HOUSE

HEADER = ("JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum", "CompteLib", "CompAuxNum",
          "CompAuxLib", "PieceRef", "PieceDate", "EcritureLib", "Debit", "Credit", "EcritureLet", "DateLet",
          "ValidDate", "Montantdevise", "Idevise")

#: Expense item of a budget line -> the account the demo's bookkeeper uses for it.
ACCOUNT_OF_ITEM = {"media": ("623100", "Annonces et insertions"), "digital_ads": ("623110", "Publicité en ligne"),
                   "printing": ("623600", "Catalogues et imprimés"), "events": ("623300", "Foires et expositions"),
                   "promotions": ("623400", "Cadeaux à la clientèle"), "creative": ("622600", "Honoraires"),
                   "content": ("622600", "Honoraires"), "studies": ("622600", "Honoraires"),
                   "tools": ("651000", "Redevances pour logiciels"), "staff": ("621100", "Personnel intérimaire")}
DEFAULT_ACCOUNT = ("623800", "Publicité, divers")
VAT_RATE = 0.20


def _amount(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


class _Book:
    def __init__(self, year: int):
        self.year = year
        self.lines: list[tuple[str, ...]] = []
        self.number = 0

    def piece(self, journal: str, day: dt.date, ref: str, label: str,
              lines: list[tuple[str, str, str, str, float, float]]) -> None:
        """One balanced piece: lines of (account, account label, aux code, aux label, debit, credit)."""
        self.number += 1
        date = day.strftime("%Y%m%d")
        journal_label = {"AC": "Achats", "BQ": "Banque", "VE": "Ventes", "OD": "Opérations diverses"}[journal]
        for account, account_label, aux, aux_label, debit, credit in lines:
            self.lines.append((journal, journal_label, str(self.number), date, account, account_label, aux, aux_label,
                               ref, date, label, _amount(debit), _amount(credit), "", "", date, "", ""))

    def invoice(self, day: dt.date, ref: str, label: str, account: tuple[str, str], supplier: str, net: float) -> None:
        code = "401" + "".join(ch for ch in supplier.upper() if ch.isalnum())[:8]
        vat = round(net * VAT_RATE, 2)
        if net >= 0:
            self.piece("AC", day, ref, label, [(account[0], account[1], "", "", net, 0.0),
                                               ("445660", "TVA déductible sur biens et services", "", "", vat, 0.0),
                                               ("401000", "Fournisseurs", code, supplier, 0.0, round(net + vat, 2))])
            pay = min(day + dt.timedelta(days=30), dt.date(self.year, 12, 31))
            self.piece("BQ", pay, ref, f"Règlement {supplier}",
                       [("401000", "Fournisseurs", code, supplier, round(net + vat, 2), 0.0),
                        ("512000", "Banque", "", "", 0.0, round(net + vat, 2))])
        else:   # a credit note
            self.piece("AC", day, ref, label, [(account[0], account[1], "", "", 0.0, -net),
                                               ("445660", "TVA déductible sur biens et services", "", "", 0.0, -vat),
                                               ("401000", "Fournisseurs", code, supplier, round(-net - vat, 2), 0.0)])

    def text(self) -> str:
        return "\n".join("\t".join(line) for line in [HEADER, *self.lines]) + "\n"


def demo_fec_text(plan: Plan, extra_pieces: int = 0, seed: int = 7) -> str:
    """The demo FEC for *plan* as text (tab-separated, one header line)."""
    year = plan.identity.year
    rng = random.Random(seed)
    book = _Book(year)
    actions = {row.get("id"): row for row in plan.rows("actions")}
    in_house = {IN_HOUSE.fr, IN_HOUSE.en}
    lines_of_supplier = Counter(str(line.get("supplier") or "") for line in plan.rows("budget"))
    for n, line in enumerate(plan.rows("budget")):
        actual = line.get("actual")
        supplier = str(line.get("supplier") or "")
        if not isinstance(actual, (int, float)) or actual <= 0 or not supplier or supplier in in_house:
            continue
        action = actions.get(line.get("action_id"), {})
        action_start = action.get("start")
        start = action_start if isinstance(action_start, dt.date) else dt.date(year, 1, 15)
        account = ACCOUNT_OF_ITEM.get(str(line.get("item")), DEFAULT_ACCOUNT)
        quote = str(line.get("quote_ref") or "")
        description = str(line.get("description") or "")
        # Two invoices: an advance on the quote, then the balance; the balance of a supplier's only
        # line names the supplier alone (no quote reference), so the supplier rule has work to do.
        first = round(actual * 0.4, 2)
        day = min(start + dt.timedelta(days=5), dt.date(year, 12, 20))
        book.invoice(day, f"FA{year}-{n:03d}A", f"{supplier} - acompte {quote} - {description}".strip(), account,
                     supplier, first)
        balance_ref = f"FA{year}-{n:03d}B"
        balance_label = f"{supplier} - solde" if lines_of_supplier[supplier] == 1 else f"{supplier} - solde {quote}"
        book.invoice(min(day + dt.timedelta(days=40), dt.date(year, 12, 28)), balance_ref, balance_label, account,
                     supplier, round(actual - first, 2))
    book.invoice(dt.date(year, 4, 9), f"AV{year}-001", "Avoir CLK-552 clics invalides", ACCOUNT_OF_ITEM["digital_ads"],
                 "Clicorama", -180.0)
    book.invoice(dt.date(year, 5, 20), f"FA{year}-900", "Goodies salon non budgétés", ("623400", "Cadeaux à la clientèle"),
                 "Objets Pub Express", 640.0)
    book.invoice(dt.date(year, 6, 2), f"FA{year}-901", "Insertion annuaire professionnel", ("623100", "Annonces et insertions"),
                 "Annuaire Loire Pro", 290.0)
    book.invoice(dt.date(year, 2, 1), f"FA{year}-902", "Loyer février", ("613200", "Locations immobilières"),
                 "SCI des Halles", 2100.0)
    book.invoice(dt.date(year - 1, 12, 18), f"FA{year - 1}-950", "Affiches de Noël", ("623600", "Catalogues et imprimés"),
                 "Imprimerie Vallorin", 450.0)
    ordinary = [("606100", "Fournitures non stockables", "Énergie Loire"), ("613200", "Locations immobilières", "SCI des Halles"),
                ("601000", "Achats de café vert", "Importateur Caféa"), ("626000", "Frais postaux", "La Poste")]
    for i in range(extra_pieces):
        day = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
        if i % 3 == 0:
            amount = round(rng.uniform(20, 900), 2)
            book.piece("VE", day, f"V{i}", "Vente boutique", [("411000", "Clients", "411COMPTOIR", "Clients comptoir", amount, 0.0),
                                                              ("707000", "Ventes de marchandises", "", "", 0.0, amount)])
        else:
            number, label, name = ordinary[i % len(ordinary)]
            book.invoice(day, f"X{i}", f"{label} {day:%m/%Y}", (number, label), name, round(rng.uniform(15, 3000), 2))
    return book.text()


def write_demo_fec(plan: Plan, path: str | os.PathLike, *, force: bool = False, extra_pieces: int = 0,
                   encoding: str = "utf-8") -> Path:
    """Write :func:`demo_fec_text` of *plan* to *path* (atomically)."""
    with atomic_output(path, force=force) as tmp:
        tmp.write_bytes(demo_fec_text(plan, extra_pieces).encode(encoding))
    return Path(path)
