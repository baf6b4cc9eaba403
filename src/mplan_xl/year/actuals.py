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
the FEC is *ignored*, counted with its reason, and the amounts reconcile to the
cent (amounts are :class:`~decimal.Decimal`): matched + unmatched + ignored =
the total of the FEC's expense lines.

It imports no Excel library: the FEC and the rules are read as text, the plan as the reader located it.

Example:
    >>> import datetime as dt
    >>> from mplan_xl.year.fec import Entry
    >>> entry = Entry(2, "AC", "7", dt.date(2027, 3, 1), "623100", "Publicité", "401IMP", "Imprimerie Vauclair",
    ...               "F-1", "Affiches", Decimal("900.00"))
    >>> lines = [BudgetLine("B01", "imprimerie vauclair", "")]
    >>> result = match_entries([entry], lines, year=2027)
    >>> result.totals["B01"], result.matched_amount, result.unmatched
    (Decimal('900.00'), Decimal('900.00'), [])
"""

from __future__ import annotations

import csv
import datetime as dt
import fnmatch
import operator
import functools
import os
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Iterable, Sequence

from ..core.errors import FecRefused, RulesError
from ..core.numbers import format_number
from ..core.vocabulary import Label, fold
from .fec import MAX_FIELD, ZERO, Entry, FecProblem, decode_lines, fallback_warnings

#: Account prefixes of marketing expenses whose unclaimed entries are listed (623: advertising, publications, public relations).
MARKETING_ACCOUNTS = ("623",)

#: How an entry was claimed, in the report.
BY_RULE, BY_QUOTE, BY_SUPPLIER = "rule", "quote_ref", "supplier"

#: Why a FEC line is ignored, in the report: not an expense (class 6) line, an expense of another year than the
#: plan's, after the situation date (``--as-of``), or outside the marketing accounts and claimed by no line.
NOT_AN_EXPENSE, OTHER_YEAR, AFTER_AS_OF, NOT_MARKETING = "not_an_expense", "other_year", "after_as_of", "not_marketing"
IGNORED_REASONS = {NOT_AN_EXPENSE: Label("hors classe 6", "not an expense account"),
                   OTHER_YEAR: Label("autre année", "another year"),
                   AFTER_AS_OF: Label("après la date de situation", "after the situation date"),
                   NOT_MARKETING: Label("charges hors comptes marketing non rapprochées",
                                        "expenses outside the marketing accounts, not matched")}


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

    total: Decimal = ZERO
    months: dict[int, Decimal] = field(default_factory=dict)
    entries: list[tuple[Entry, str]] = field(default_factory=list)   # (entry, how it was claimed)


@dataclass
class Tally:
    """A count of FEC lines and the sum of their amounts (expense lines only)."""

    count: int = 0
    amount: Decimal = ZERO

    def add_all(self, entries: Sequence[Entry]) -> None:
        """Count *entries* and add up their amounts (exact Decimal cents: in one sum, in any order)."""
        self.count += len(entries)
        self.amount += sum(map(_AMOUNT, entries), ZERO)


@dataclass
class ActualsResult:
    """What the matching found. Amounts are exact :class:`~decimal.Decimal` cents; :meth:`to_dict` writes them as
    JSON numbers (exact to the cent below 90,000 billion)."""

    year: int
    as_of: dt.date | None
    lines: dict[str, LineActuals]
    unmatched: list[Entry]
    #: Ignored lines by reason (:data:`IGNORED_REASONS`).
    ignored_by: dict[str, Tally] = field(default_factory=lambda: {reason: Tally() for reason in IGNORED_REASONS})
    #: Every expense line read: what the three parts add up to.
    expenses: Tally = field(default_factory=Tally)
    currency: str = ""      # symbol shown after amounts in the text summary
    #: Warnings about the FEC or the rules (lines read with the fallback encoding, months without entries).
    warnings: list[FecProblem] = field(default_factory=list)

    @property
    def totals(self) -> dict[str, Decimal]:
        return {line_id: actual.total for line_id, actual in self.lines.items()}

    @property
    def matched_count(self) -> int:
        return sum(len(a.entries) for a in self.lines.values())

    @property
    def matched_amount(self) -> Decimal:
        return sum((a.total for a in self.lines.values()), ZERO)

    @property
    def unmatched_amount(self) -> Decimal:
        return sum((e.amount for e in self.unmatched), ZERO)

    @property
    def ignored(self) -> int:
        return sum(tally.count for tally in self.ignored_by.values())

    @property
    def ignored_amount(self) -> Decimal:
        return sum((tally.amount for tally in self.ignored_by.values()), ZERO)

    def to_dict(self, lang: str = "en") -> dict[str, object]:
        """The JSON report: what the FEC holds, matched, unmatched (with every entry), ignored (by reason), the total
        of each budget line and the warnings (in *lang*). Amounts reconcile: matched + unmatched + ignored = the
        amount of the FEC's expense lines; counts too, with every line of the FEC."""
        return {
            "year": self.year,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "fec": {"lines": self.expenses.count + self.ignored_by[NOT_AN_EXPENSE].count,
                    "expense_lines": self.expenses.count, "expense_amount": float(self.expenses.amount)},
            "matched": {"count": self.matched_count, "amount": float(self.matched_amount)},
            "unmatched": {"count": len(self.unmatched), "amount": float(self.unmatched_amount),
                          "entries": [e.as_dict() for e in self.unmatched]},
            "ignored": {"count": self.ignored, "amount": float(self.ignored_amount),
                        "reasons": {reason: {"count": tally.count} if reason == NOT_AN_EXPENSE
                                    else {"count": tally.count, "amount": float(tally.amount)}
                                    for reason, tally in self.ignored_by.items()}},
            "lines": {line_id: {"total": float(a.total),
                                "months": {f"{m:02d}": float(v) for m, v in sorted(a.months.items())},
                                "entries": [dict(e.as_dict(), matched_by=how) for e, how in a.entries]}
                      for line_id, a in self.lines.items()},
            "warnings": [w.text(lang) for w in self.warnings],
        }

    def money(self, amount: Decimal | float, lang: str = "fr") -> str:
        return f"{money(amount, lang)} {self.currency}".rstrip()

    def summary(self, lang: str = "fr") -> list[str]:
        """The text summary, one line each."""
        reasons = ", ".join(_SUMMARY_REASON(lang).format(reason=IGNORED_REASONS[reason](lang), count=tally.count)
                            for reason, tally in self.ignored_by.items() if tally.count)
        return [
            _SUMMARY_MATCHED(lang).format(count=self.matched_count, amount=self.money(self.matched_amount, lang)),
            _SUMMARY_UNMATCHED(lang).format(count=len(self.unmatched), amount=self.money(self.unmatched_amount, lang)),
            _SUMMARY_IGNORED(lang).format(count=self.ignored, amount=self.money(self.ignored_amount, lang),
                                          reasons=reasons or "-"),
        ]


_SUMMARY_MATCHED = Label("Rapprochées : {count} écriture(s), {amount}", "Matched: {count} entries, {amount}")
_SUMMARY_UNMATCHED = Label("Non rapprochées (comptes marketing) : {count} écriture(s), {amount}",
                           "Unmatched (marketing accounts): {count} entries, {amount}")
_SUMMARY_IGNORED = Label("Ignorées : {count} ligne(s) du FEC, dont {amount} de charges ({reasons})",
                         "Ignored: {count} FEC line(s), {amount} of them expenses ({reasons})")
_SUMMARY_REASON = Label("{reason} : {count}", "{reason}: {count}")


def money(amount: Decimal | float, lang: str = "fr") -> str:
    """An amount to the cent, in the language's notation.

    >>> money(Decimal("-1234.50"), "fr"), money(1234.5, "en")
    ('-1\\u202f234,50', '1,234.50')
    """
    return format_number(float(amount), lang)


@functools.lru_cache(maxsize=65536)
def fold_name(text: str, keep: str = "") -> str:
    """A name as matching compares it: :func:`~mplan_xl.core.vocabulary.fold` (no accents, case-folded),
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
    result = ActualsResult(year, as_of, {line.id: LineActuals() for line in lines}, [])
    result.ignored_by[NOT_AN_EXPENSE].count = other_lines
    claim_of = _Claims(lines, rules)
    marketing = tuple(marketing_accounts)
    entries = list(entries)
    result.expenses.add_all(entries)
    ignored: dict[str, list[Entry]] = {OTHER_YEAR: [], AFTER_AS_OF: [], NOT_MARKETING: []}
    other_year, after_as_of, not_marketing = ignored.values()
    for entry in entries:
        if entry.date.year != year:
            other_year.append(entry)
            continue
        if as_of is not None and entry.date > as_of:
            after_as_of.append(entry)
            continue
        claim = claim_of(entry)
        if claim is None:
            if entry.account.startswith(marketing):
                result.unmatched.append(entry)
            else:
                not_marketing.append(entry)
            continue
        line_id, how = claim
        actual = result.lines[line_id]
        actual.total += entry.amount
        actual.months[entry.date.month] = actual.months.get(entry.date.month, ZERO) + entry.amount
        actual.entries.append((entry, how))
    for reason, listed in ignored.items():
        result.ignored_by[reason].add_all(listed)
    return result


_NO_EXPENSE_OF_YEAR = Label("{path} : le FEC n'a aucune charge (classe 6) de {year} ; il couvre {years}. Rien n'a été "
                            "importé : demandez au comptable le FEC de {year}",
                            "{path}: the FEC has no expense entry of {year} (class 6); it covers {years}. Nothing was "
                            "imported: ask the accountant for the FEC of {year}")
_MISSING_MONTHS = Label("le FEC n'a aucune écriture en {months} (mois attendus jusqu'au {last:02d}/{year}) : un export "
                        "partiel ? Les réels de ces mois restent à 0",
                        "the FEC has no entry in {months} (months expected up to {last:02d}/{year}): a partial "
                        "export? The actuals of these months stay at 0")


def check_fec_year(path: str | os.PathLike, months: Iterable[tuple[int, int]], expense_years: Iterable[int], *,
                   year: int, last_month: int) -> list[FecProblem]:
    """The year guard: a FEC with no expense entry of the plan *year* is refused (:class:`FecRefused`) naming the
    years it covers; the months from January to *last_month* (the situation date's) in which the FEC has no entry
    at all are returned as a warning.

    >>> [w.text("en") for w in check_fec_year("F", {(2027, 1), (2027, 3)}, {2027}, year=2027, last_month=4)]
    ['F: the FEC has no entry in 02/2027, 04/2027 (months expected up to 04/2027): a partial export? The actuals of these months stay at 0']
    >>> check_fec_year("F", {(2026, 5)}, {2026}, year=2027, last_month=12)
    Traceback (most recent call last):
    mplan_xl.core.errors.FecRefused: F: the FEC has no expense entry of 2027 (class 6); it covers 2026. Nothing was imported: ask the accountant for the FEC of 2027
    """
    covered = set(months)
    if year not in set(expense_years):
        years = sorted({y for y, _ in covered})
        raise FecRefused(_NO_EXPENSE_OF_YEAR, path=path, year=year, years=", ".join(map(str, years)) or "-")
    missing = [m for m in range(1, last_month + 1) if (year, m) not in covered]
    if not missing:
        return []
    return [FecProblem(0, None, _MISSING_MONTHS, {"months": ", ".join(f"{m:02d}/{year}" for m in missing),
                                                  "last": last_month, "year": year}, str(path))]


_AMOUNT = operator.attrgetter("amount")


class _Claims:
    """Which budget line claims an entry, and how (see the module's rules): ``claims(entry)`` is ``(line id, how)``
    or None. What only an entry's label, or only its supplier, decides is worked out once for each distinct one:
    a FEC repeats them from line to line."""

    def __init__(self, lines: Sequence[BudgetLine], rules: Sequence[Rule]) -> None:
        self.rules = rules
        self.quote_pattern, self.quote_owner = _quote_index(lines)
        self.supplier_owner = _unique_owner(lines, lambda line: fold_name(line.supplier))
        self.by_label: dict[str, str | None] = {}
        self.by_supplier: dict[tuple[str, str], str | None] = {}

    def __call__(self, entry: Entry) -> tuple[str, str] | None:
        for rule in self.rules:
            if rule.applies(entry):
                return rule.line_id, BY_RULE
        if self.quote_pattern is not None:
            # The first reference of the piece's, else of the label's.
            if (found := self.quote_pattern.search(entry.piece_ref.casefold())) is not None:
                return self.quote_owner[found.group(0)], BY_QUOTE
            if entry.label in self.by_label:
                owner = self.by_label[entry.label]
            else:
                found = self.quote_pattern.search(entry.label.casefold())
                owner = self.by_label[entry.label] = self.quote_owner[found.group(0)] if found else None
            if owner is not None:
                return owner, BY_QUOTE
        key = (entry.supplier, entry.supplier_code)
        if key in self.by_supplier:
            owner = self.by_supplier[key]
        else:
            owner = self.by_supplier[key] = next((self.supplier_owner[name] for name in map(fold_name, key)
                                                  if name and name in self.supplier_owner), None)
        return None if owner is None else (owner, BY_SUPPLIER)


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


def read_rules(path: str | os.PathLike, line_ids: Iterable[str], *, warnings: list[FecProblem] | None = None) -> list[Rule]:
    """The user's mapping table: a CSV (``;``, ``,`` or tab) with a header
    ``ligne;compte;fournisseur;libelle`` (or ``line;account;supplier;label``).

    Each row names a budget line and at least one condition; an account is a prefix written in digits. Raises
    :class:`RulesError` with the row's line number (and column) for an unknown line id, a row with no condition,
    an account that is not digits (``NaN``, ``1e308``), a field longer than 32,767 characters or a line the csv
    module cannot read. The file is decoded line by line as a FEC is (:func:`~mplan_xl.year.fec.decode_lines`); the
    lines read with the fallback encoding are added to *warnings*.
    """
    from ..read.inputs import InputRefused, read_input, refusal_label

    path = Path(path)
    try:
        lines, _, fallback = decode_lines(read_input(path))   # a pipe or a folder refused at once, never waited on
    except InputRefused as err:
        raise RulesError(refusal_label(err)) from None
    except OSError:
        raise RulesError(Label("{path} : fichier de règles introuvable", "{path}: rules file not found"),
                         path=path) from None
    if warnings is not None:
        warnings.extend(fallback_warnings(fallback, str(path)))
    first = lines[0] if lines else ""
    delimiter = max(";,\t", key=first.count) if first else ";"
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        return _rules(path, reader, line_ids)
    except csv.Error:
        raise RulesError(_RULES_UNREADABLE, path=path, line=reader.line_num) from None


_RULES_UNREADABLE = Label("{path}, ligne {line} : ligne illisible (un champ de plus de 131 072 caractères, ou un "
                          "guillemet non fermé ?)", "{path}, line {line}: unreadable line (a field of more than "
                          "131,072 characters, or an unclosed quote?)")
_RULES_LONG = Label("{path}, ligne {line}, colonne {column} : champ de {length} caractères (au plus 32 767)",
                    "{path}, line {line}, column {column}: field of {length} characters (at most 32,767)")
_RULES_ACCOUNT = Label("{path}, ligne {line}, colonne {column} : compte « {value} » : un préfixe de compte s'écrit en "
                       "chiffres (p. ex. 6231)", "{path}, line {line}, column {column}: account '{value}': an account "
                       "prefix is written in digits (e.g. 6231)")


def _rules(path: Path, reader, line_ids: Iterable[str]) -> list[Rule]:
    names: list[str] = next(reader, [])
    header = [RULE_HEADERS.get(fold_name(h).replace(" ", "")) for h in names]
    if "line_id" not in header:
        raise RulesError(Label("{path} : colonne « ligne » absente de l'en-tête (ligne;compte;fournisseur;libelle)",
                               "{path}: no 'line' column in the header (line;account;supplier;label)"), path=path)
    column_name = {key: name.strip() for key, name in zip(header, names) if key}
    known = {line_id.casefold(): line_id for line_id in line_ids}
    rules = []
    for row in reader:
        n = reader.line_num
        for name, cell in zip(names, row):
            if len(cell) > MAX_FIELD:
                raise RulesError(_RULES_LONG, path=path, line=n, column=name.strip(), length=len(cell))
        values = {key: cell.strip() for key, cell in zip(header, row) if key}
        if not any(values.values()):
            continue
        line_id = known.get(values.get("line_id", "").casefold())
        if line_id is None:
            raise RulesError(Label("{path}, ligne {line} : ligne budgétaire « {id} » inconnue du plan",
                                   "{path}, line {line}: budget line '{id}' is not in the plan"),
                             path=path, line=n, id=values.get("line_id", "")[:40])
        if not any(values.get(k) for k in ("account", "supplier", "label")):
            raise RulesError(Label("{path}, ligne {line} : aucune condition (compte, fournisseur ou libellé)",
                                   "{path}, line {line}: no condition (account, supplier or label)"), path=path, line=n)
        account = values.get("account", "")
        if account and not (account.isascii() and account.isdigit()):
            raise RulesError(_RULES_ACCOUNT, path=path, line=n, column=column_name["account"], value=account[:40])
        rules.append(Rule(line_id, account, values.get("supplier", ""), values.get("label", ""), n))
    return rules
