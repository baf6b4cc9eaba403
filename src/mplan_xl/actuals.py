"""Actual spending from the accounts: FEC expense lines matched to the plan's budget lines.

Which entries count: the expense lines of the FEC (accounts of class 6) dated
in the plan year, up to ``as_of`` when given. Their amount is Debit − Credit
(amounts excluding VAT: the VAT stands on its own 445 line; a credit note
reduces the spend). Their supplier is the auxiliary account of the line or,
as real exports put it, of another line of the same piece (same
``JournalCode`` and ``EcritureNum``, usually the 401 line).

A budget line claims an entry by the first of these rules that applies:

1. **an explicit rule** of the user's mapping table (``--rules``): account
   prefix, supplier and/or label pattern → budget line id; the first rule
   whose conditions all hold wins;
2. **the quote reference**: the line's *Réf. devis* found, as a whole word, in
   the entry's ``PieceRef`` or ``EcritureLib`` (a reference shared by several
   lines claims nothing: it cannot tell them apart);
3. **the supplier**: the entry's supplier equal to the line's supplier,
   ignoring case, accents and punctuation, when that supplier has exactly one
   budget line.

Nothing is lost silently: an expense in a marketing account (``623`` by
default) that no line claims is *unmatched* and listed; every other line of
the FEC is *ignored* and counted.

This module is part of the domain core: it imports no Excel library.

Example:
    >>> import datetime as dt
    >>> from mplan_xl.fec import Entry
    >>> entry = Entry(2, "AC", "7", dt.date(2027, 3, 1), "623100", "Publicité", "401IMP", "Imprimerie Vauclair",
    ...               "F-1", "Affiches", 900.0)
    >>> lines = [BudgetLine("B01", "imprimerie vauclair", "")]
    >>> result = match_entries([entry], lines, year=2027)
    >>> result.totals["B01"], result.matched_amount, result.unmatched
    (900.0, 900.0, [])
"""

from __future__ import annotations

import csv
import datetime as dt
import fnmatch
import functools
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from .errors import RulesError
from .fec import Entry, decode
from .numbers import format_number
from .vocabulary import Label, fold

#: Account prefixes of marketing expenses whose unclaimed entries are listed (623: advertising, publications, public relations).
MARKETING_ACCOUNTS = ("623",)

#: How an entry was claimed, in the report.
BY_RULE, BY_QUOTE, BY_SUPPLIER = "rule", "quote_ref", "supplier"


@dataclass(frozen=True)
class BudgetLine:
    """What matching needs of a budget line."""

    id: str
    supplier: str = ""
    quote_ref: str = ""


@dataclass(frozen=True)
class Rule:
    """One row of the user's mapping table: every condition given must hold."""

    line_id: str
    account: str = ""     # account prefix, e.g. 6231
    supplier: str = ""    # supplier name or auxiliary account number
    label: str = ""       # pattern on EcritureLib / PieceRef, * and ? as wildcards
    source_line: int = 0  # line of the rules file, for messages

    def applies(self, entry: Entry) -> bool:
        if self.account and not entry.account.startswith(self.account):
            return False
        if self.supplier and fold_name(self.supplier) not in (fold_name(entry.supplier), fold_name(entry.supplier_code)):
            return False
        if self.label:
            pattern = "*" + fold_name(self.label, keep="*?") + "*"
            if not (fnmatch.fnmatchcase(fold_name(entry.label, keep="*?"), pattern)
                    or fnmatch.fnmatchcase(fold_name(entry.piece_ref, keep="*?"), pattern)):
                return False
        return True


@dataclass
class LineActuals:
    """The entries one budget line claimed: the total and the months (1–12)."""

    total: float = 0.0
    months: dict[int, float] = field(default_factory=dict)
    entries: list[tuple[Entry, str]] = field(default_factory=list)   # (entry, how it was claimed)


@dataclass
class ActualsResult:
    """What the matching found. Amounts are floats; :meth:`to_dict` rounds them to the cent."""

    year: int
    as_of: dt.date | None
    lines: dict[str, LineActuals]
    unmatched: list[Entry]
    ignored: int
    currency: str = ""      # symbol shown after amounts in the text summary

    @property
    def totals(self) -> dict[str, float]:
        return {line_id: round(actual.total, 2) for line_id, actual in self.lines.items()}

    @property
    def matched_count(self) -> int:
        return sum(len(a.entries) for a in self.lines.values())

    @property
    def matched_amount(self) -> float:
        return round(sum(a.total for a in self.lines.values()), 2)

    @property
    def unmatched_amount(self) -> float:
        return round(sum(e.amount for e in self.unmatched), 2)

    def to_dict(self) -> dict[str, object]:
        """The JSON report: matched, unmatched (with every entry), ignored, and the total of each budget line."""
        return {
            "year": self.year,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "matched": {"count": self.matched_count, "amount": self.matched_amount},
            "unmatched": {"count": len(self.unmatched), "amount": self.unmatched_amount,
                          "entries": [e.as_dict() for e in self.unmatched]},
            "ignored": {"count": self.ignored},
            "lines": {line_id: {"total": round(a.total, 2),
                                "months": {f"{m:02d}": round(v, 2) for m, v in sorted(a.months.items())},
                                "entries": [dict(e.as_dict(), matched_by=how) for e, how in a.entries]}
                      for line_id, a in self.lines.items()},
        }

    def money(self, amount: float, lang: str = "fr") -> str:
        return f"{money(amount, lang)} {self.currency}".rstrip()

    def summary(self, lang: str = "fr") -> list[str]:
        """The text summary, one line each."""
        return [
            _SUMMARY_MATCHED(lang).format(count=self.matched_count, amount=self.money(self.matched_amount, lang)),
            _SUMMARY_UNMATCHED(lang).format(count=len(self.unmatched), amount=self.money(self.unmatched_amount, lang)),
            _SUMMARY_IGNORED(lang).format(count=self.ignored),
        ]


_SUMMARY_MATCHED = Label("Rapprochées : {count} écriture(s), {amount}", "Matched: {count} entries, {amount}")
_SUMMARY_UNMATCHED = Label("Non rapprochées (comptes marketing) : {count} écriture(s), {amount}",
                           "Unmatched (marketing accounts): {count} entries, {amount}")
_SUMMARY_IGNORED = Label("Ignorées : {count} ligne(s) du FEC", "Ignored: {count} FEC line(s)")


def money(amount: float, lang: str = "fr") -> str:
    """An amount to the cent, in the language's notation.

    >>> money(-1234.5, "fr"), money(1234.5, "en")
    ('-1\\u202f234,50', '1,234.50')
    """
    return format_number(amount, lang)


@functools.lru_cache(maxsize=65536)
def fold_name(text: str, keep: str = "") -> str:
    """A name as matching compares it: :func:`~mplan_xl.vocabulary.fold` (no accents, case-folded),
    with punctuation other than *keep* read as spaces.

    >>> fold_name("  Imprimerie VAUCLAIR & fils. "), fold_name("Studio Grain d'Image")
    ('imprimerie vauclair fils', 'studio grain d image')
    """
    folded = fold(text)
    return " ".join("".join(ch if ch.isalnum() or ch in keep else " " for ch in folded).split())


def match_entries(entries: Iterable[Entry], lines: Sequence[BudgetLine], *, year: int,
                  as_of: dt.date | None = None, rules: Sequence[Rule] = (),
                  marketing_accounts: Sequence[str] = MARKETING_ACCOUNTS, other_lines: int = 0) -> ActualsResult:
    """Match FEC expense lines to budget lines (see the module's rules).

    *other_lines* is the number of FEC lines that are not expenses; they are counted as ignored.
    """
    result = ActualsResult(year, as_of, {line.id: LineActuals() for line in lines}, [], other_lines)
    quote_pattern, quote_owner = _quote_index(lines)
    supplier_owner = _unique_owner(lines, lambda line: fold_name(line.supplier))
    marketing = tuple(marketing_accounts)
    for entry in entries:
        if entry.date.year != year or (as_of is not None and entry.date > as_of):
            result.ignored += 1
            continue
        claim = _claim(entry, rules, quote_pattern, quote_owner, supplier_owner)
        if claim is None:
            if entry.account.startswith(marketing):
                result.unmatched.append(entry)
            else:
                result.ignored += 1
            continue
        line_id, how = claim
        actual = result.lines[line_id]
        actual.total += entry.amount
        actual.months[entry.date.month] = actual.months.get(entry.date.month, 0.0) + entry.amount
        actual.entries.append((entry, how))
    return result


def _claim(entry: Entry, rules: Sequence[Rule], quote_pattern: re.Pattern | None, quote_owner: dict[str, str],
           supplier_owner: dict[str, str]) -> tuple[str, str] | None:
    for rule in rules:
        if rule.applies(entry):
            return rule.line_id, BY_RULE
    if quote_pattern is not None:
        for text in (entry.piece_ref, entry.label):
            for found in quote_pattern.finditer(text.casefold()):
                return quote_owner[found.group(0)], BY_QUOTE
    for name in (fold_name(entry.supplier), fold_name(entry.supplier_code)):
        if name and name in supplier_owner:
            return supplier_owner[name], BY_SUPPLIER
    return None


def _unique_owner(lines: Sequence[BudgetLine], key) -> dict[str, str]:
    """key -> line id, for the keys that exactly one budget line has."""
    owners: dict[str, list[str]] = {}
    for line in lines:
        value = key(line)
        if value:
            owners.setdefault(value, []).append(line.id)
    return {value: ids[0] for value, ids in owners.items() if len(ids) == 1}


def _quote_index(lines: Sequence[BudgetLine]) -> tuple[re.Pattern | None, dict[str, str]]:
    # One alternation for every unique reference, longest first, bounded by non-alphanumerics.
    owner = _unique_owner(lines, lambda line: line.quote_ref.strip().casefold())
    if not owner:
        return None, owner
    alternatives = "|".join(re.escape(ref) for ref in sorted(owner, key=len, reverse=True))
    return re.compile(rf"(?<![0-9a-z])(?:{alternatives})(?![0-9a-z])"), owner


# -- the mapping table -------------------------------------------------------------------------------------------

#: Accepted headers of the rules file (French or English) -> Rule field.
RULE_HEADERS = {"ligne": "line_id", "line": "line_id", "id": "line_id", "compte": "account", "account": "account",
                "fournisseur": "supplier", "supplier": "supplier", "libelle": "label", "label": "label"}


def read_rules(path: str | os.PathLike, line_ids: Iterable[str]) -> list[Rule]:
    """The user's mapping table: a CSV (``;``, ``,`` or tab) with a header
    ``ligne;compte;fournisseur;libelle`` (or ``line;account;supplier;label``).

    Each row names a budget line and at least one condition. Raises
    :class:`RulesError` with the row's line number for an unknown line id or a
    row with no condition.
    """
    from .inputs import InputRefused, read_input, refusal_label

    path = Path(path)
    try:
        text, _ = decode(read_input(path))   # a pipe or a folder refused at once, never waited on
    except InputRefused as err:
        raise RulesError(refusal_label(err)) from None
    except OSError:
        raise RulesError(Label("{path} : fichier de règles introuvable", "{path}: rules file not found"),
                         path=path) from None
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = max(";,\t", key=first.count) if first else ";"
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [RULE_HEADERS.get(fold_name(h).replace(" ", "")) for h in next(reader, [])]
    if "line_id" not in header:
        raise RulesError(Label("{path} : colonne « ligne » absente de l'en-tête (ligne;compte;fournisseur;libelle)",
                               "{path}: no 'line' column in the header (line;account;supplier;label)"), path=path)
    known = {line_id.casefold(): line_id for line_id in line_ids}
    rules = []
    for n, row in enumerate(reader, start=2):
        values = {key: cell.strip() for key, cell in zip(header, row) if key}
        if not any(values.values()):
            continue
        line_id = known.get(values.get("line_id", "").casefold())
        if line_id is None:
            raise RulesError(Label("{path}, ligne {line} : ligne budgétaire « {id} » inconnue du plan",
                                   "{path}, line {line}: budget line '{id}' is not in the plan"),
                             path=path, line=n, id=values.get("line_id", ""))
        if not any(values.get(k) for k in ("account", "supplier", "label")):
            raise RulesError(Label("{path}, ligne {line} : aucune condition (compte, fournisseur ou libellé)",
                                   "{path}, line {line}: no condition (account, supplier or label)"), path=path, line=n)
        rules.append(Rule(line_id, values.get("account", ""), values.get("supplier", ""), values.get("label", ""), n))
    return rules
