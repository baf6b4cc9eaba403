"""Read the exports a marketing team downloads from its tools, recognised from their header.

Each export is a CSV (or an xlsx) whose header names its columns; the layout is recognised from those names, in
the tool's French or English interface, never from the file's name:

=============  ======================================================  ==========================================
source         the columns that tell it (French or English interface)  what is kept
=============  ======================================================  ==========================================
``ga4``        *Session campaign* / *Campagne de la session*, Sessions  sessions, key events, total revenue
``google_ads`` *Campaign* / *Campagne* with *Impr.* and *Cost* / *Coût*  cost, impressions, clicks, conversions,
                                                                        conversion value
``meta``       *Campaign name* / *Nom de la campagne* with *Amount      cost, impressions, link clicks, results,
               spent (EUR)* / *Montant dépensé (EUR)*                   purchases conversion value
``linkedin``   *Campaign Name* with *Total Spent* / *Total dépensé*     cost, impressions, clicks, conversions,
                                                                        conversion value
``hubspot``    *Deal Name* / *Nom de la transaction* with *Amount* /    the amount of won deals, by close date
               *Montant* and a campaign column
``shopify``    *Name*, *Created at*, *Total* and a UTM column           the total of each order, less refunds
``woocommerce`` an order total and *_wc_order_attribution_utm_campaign* the total of each order
               (or *utm_campaign*)
=============  ======================================================  ==========================================

Any other file is read through a mapping (``--rules``, :class:`ExportMapping`) naming its campaign, date and amount
columns; a file that fits no layout and no mapping is refused with the columns it has and what each layout expects.

What real exports hold and this reader takes: a BOM (UTF-8 or UTF-16, as Google Ads and LinkedIn write their
"CSV for Excel"), ``,``, ``;`` or tab separators, quoted fields, title, ``#`` comment and date-range lines above the
header (the date range is kept: an export without a date column is dated by it), totals lines (``Total: Account``,
``Total``) which are skipped and counted, amounts with a decimal comma or point, thousands grouped by a space, a
no-break or narrow no-break space, a dot or a comma, a currency sign or code (``1 234,56 €``, ``$1,234.56``),
``--`` for nothing, and dates ``2027-03-15``, ``20270315``, ``15/03/2027`` (``3/15/2027`` in an English export
whose dates say so), ``Mar 15, 2027``, ``15 mars 2027``, with a time after them or not.

A file's number convention is decided once from all its amounts, as the FEC's is; a value that does not fit it, a
date that is no date, is refused with its file, line and column (the first ten are listed), and nothing is imported.

Every row read becomes an :class:`ExportRow`: source, file, line, campaign, date, metric values, currency. The rows
of a file are held column by column (:class:`ExportTable`, a pandas frame), so a million rows read in seconds.

Example:
    >>> text = "Campaign report\\nMarch 1, 2027 - March 31, 2027\\nDay,Campaign,Cost,Impr.,Clicks\\n" \\
    ...        "2027-03-02,printemps-27,\\"1,234.50\\",1000,40\\nTotal: Account,,\\"1,234.50\\",1000,40\\n"
    >>> table = parse_export(text.encode(), "ads.csv")
    >>> table.source, table.skipped_totals, [(r.campaign, r.date.isoformat(), r.metrics["cost"]) for r in table.rows()]
    ('google_ads', 1, [('printemps-27', '2027-03-02', 1234.5)])
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, NamedTuple, Sequence

import numpy as np
import pandas as pd

from ..core.errors import ExportRefused, FecProblem
from ..core.vocabulary import Label, fold

#: The metrics an export can give, in the order of the report.
METRICS = ("cost", "revenue", "conversions", "sessions", "clicks", "impressions")
MONEY = ("cost", "revenue")

#: Roles a column can play besides the metrics.
DIMENSIONS = ("campaign", "date", "date_end", "currency", "key", "stage", "status", "refunded", "cancelled")

#: The sources, as the report names them.
SOURCE_NAMES = {
    "ga4": "Google Analytics 4", "google_ads": "Google Ads", "meta": "Meta Ads Manager",
    "linkedin": "LinkedIn Campaign Manager", "hubspot": "HubSpot (transactions)", "shopify": "Shopify (commandes)",
    "woocommerce": "WooCommerce (commandes)", "generic": "fichier décrit par --rules",
}
#: Sources of sales (the orders and deals themselves), of site analytics, of ad platforms.
SALES_SOURCES = ("hubspot", "shopify", "woocommerce", "generic")
AD_SOURCES = ("google_ads", "meta", "linkedin")

#: Most lines above the header where the header is looked for (title, date range, comment lines).
HEADER_SEARCH = 40
#: Most problems listed before the reading stops.
MAX_PROBLEMS = 10


@dataclass(frozen=True)
class Layout:
    """One tool's export: the header names (folded, French and English) of each role, those that must be there,
    and those that tell it from another tool's."""

    source: str
    roles: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    #: Headers (folded) of which one must be present for the layout to be recognised, beyond the required roles.
    telling: tuple[str, ...] = ()
    #: Roles whose header is matched as a prefix (``Amount spent (EUR)``: the currency follows).
    prefixed: tuple[str, ...] = ()
    #: What the refusal says this layout expects, in the user's words.
    expects: Label = Label("", "")


def _names(*names: str) -> tuple[str, ...]:
    return tuple(fold(n) for n in names)


LAYOUTS: tuple[Layout, ...] = (
    Layout("ga4", {
        "campaign": _names("Session campaign", "Campagne de la session", "First user campaign",
                           "Campagne du premier utilisateur", "Session manual campaign name",
                           "Nom de la campagne manuelle de la session"),
        "date": _names("Date"), "sessions": _names("Sessions"),
        "conversions": _names("Key events", "Événements clés", "Conversions"),
        "revenue": _names("Total revenue", "Revenu total", "Revenus totaux", "Purchase revenue",
                          "Revenu généré par les achats", "Revenus générés par les achats"),
    }, ("campaign", "sessions"),
        expects=Label("Google Analytics 4 : Campagne de la session, Sessions, Événements clés, Revenu total",
                      "Google Analytics 4: Session campaign, Sessions, Key events, Total revenue")),
    Layout("google_ads", {
        "campaign": _names("Campaign", "Campagne"), "date": _names("Day", "Jour", "Date", "Month", "Mois"),
        "cost": _names("Cost", "Coût"), "impressions": _names("Impr.", "Impressions"),
        "clicks": _names("Clicks", "Clics"), "conversions": _names("Conversions"),
        "revenue": _names("Conv. value", "Valeur de conv.", "Conversion value", "Valeur de conversion"),
        "currency": _names("Currency code", "Code de la devise", "Code devise", "Currency", "Devise"),
    }, ("campaign", "cost"), telling=_names("Impr.", "Conv. value", "Valeur de conv.", "Campaign status",
                                            "État de la campagne", "Campaign type", "Type de campagne"),
        expects=Label("Google Ads : Campagne, Jour, Coût, Impr., Clics, Conversions, Valeur de conv.",
                      "Google Ads: Campaign, Day, Cost, Impr., Clicks, Conversions, Conv. value")),
    Layout("meta", {
        "campaign": _names("Campaign name", "Nom de la campagne"),
        "date": _names("Day", "Jour", "Reporting starts", "Début des rapports"),
        "date_end": _names("Reporting ends", "Fin des rapports"),
        "cost": _names("Amount spent", "Montant dépensé"), "impressions": _names("Impressions"),
        "clicks": _names("Link clicks", "Clics sur un lien", "Clics sur le lien"),
        "conversions": _names("Purchases", "Achats", "Results", "Résultats"),
        "revenue": _names("Purchases conversion value", "Purchase conversion value",
                          "Valeur de conversion des achats", "Website purchases conversion value",
                          "Valeur de conversion des achats sur le site web"),
        "currency": _names("Currency", "Devise"),
    }, ("campaign", "cost"), telling=_names("Reporting starts", "Début des rapports", "Amount spent",
                                            "Montant dépensé"), prefixed=("cost",),
        expects=Label("Meta : Nom de la campagne, Début des rapports, Montant dépensé (EUR), Impressions, "
                      "Clics sur un lien, Résultats", "Meta: Campaign name, Reporting starts, Amount spent (EUR), "
                      "Impressions, Link clicks, Results")),
    Layout("linkedin", {
        "campaign": _names("Campaign Name", "Nom de la campagne", "Campaign", "Campagne"),
        "date": _names("Start Date (in UTC)", "Date de début (en UTC)", "Start Date", "Date de début"),
        "cost": _names("Total Spent", "Total dépensé", "Montant total dépensé", "Dépenses totales"),
        "impressions": _names("Impressions"), "clicks": _names("Clicks", "Clics"),
        "conversions": _names("Conversions"),
        "revenue": _names("Total Conversion Value", "Valeur totale des conversions", "Valeur de conversion totale"),
        "currency": _names("Currency", "Devise"),
    }, ("campaign", "cost"),
        expects=Label("LinkedIn : Nom de la campagne, Date de début (en UTC), Total dépensé, Impressions, Clics, "
                      "Conversions", "LinkedIn: Campaign Name, Start Date (in UTC), Total Spent, Impressions, "
                      "Clicks, Conversions")),
    Layout("hubspot", {
        "campaign": _names("UTM Campaign", "utm_campaign", "Campagne UTM", "Campaign", "Campagne",
                           "Original Source Drill-Down 2", "Détail 2 de la source d'origine",
                           "Original Traffic Source Drill-Down 2"),
        "date": _names("Close Date", "Date de fermeture", "Date de clôture"),
        "revenue": _names("Amount", "Montant", "Amount in company currency", "Montant dans la devise de l'entreprise"),
        "stage": _names("Deal Stage", "Phase de la transaction", "Étape de la transaction"),
        "key": _names("Record ID", "ID de fiche d'informations", "Deal ID", "ID de la transaction"),
        "currency": _names("Currency", "Devise", "Deal currency code", "Code de devise de la transaction"),
    }, ("campaign", "date", "revenue"), telling=_names("Deal Name", "Nom de la transaction"),
        expects=Label("HubSpot : Nom de la transaction, Montant, Date de fermeture, Phase de la transaction et une "
                      "colonne de campagne (utm_campaign)", "HubSpot: Deal Name, Amount, Close Date, Deal Stage and a "
                      "campaign column (utm_campaign)")),
    Layout("shopify", {
        "campaign": _names("UTM Campaign", "utm_campaign", "Landing Site", "Landing site", "Note Attributes"),
        "date": _names("Created at"), "revenue": _names("Total"), "key": _names("Name", "Id"),
        "currency": _names("Currency"), "status": _names("Financial Status"),
        "refunded": _names("Refunded Amount"), "cancelled": _names("Cancelled at"),
    }, ("campaign", "date", "revenue", "key"), telling=_names("Financial Status", "Lineitem name"),
        expects=Label("Shopify : Name, Created at, Total, Financial Status et une colonne UTM (Landing Site, Note "
                      "Attributes ou UTM Campaign)", "Shopify: Name, Created at, Total, Financial Status and a UTM "
                      "column (Landing Site, Note Attributes or UTM Campaign)")),
    Layout("woocommerce", {
        "campaign": _names("_wc_order_attribution_utm_campaign", "utm_campaign", "UTM Campaign", "Campagne UTM"),
        "date": _names("Order Date", "Date de commande", "Date de la commande", "Date"),
        "revenue": _names("Order Total Amount", "Order Total", "Total de la commande", "Montant total de la commande",
                          "Total commande", "Net sales", "Ventes nettes"),
        "key": _names("Order Number", "Order ID", "Order #", "N° de commande", "Numéro de commande", "Commande"),
        "status": _names("Order Status", "Statut de la commande", "État de la commande", "Status", "État"),
        "currency": _names("Order Currency", "Devise de la commande", "Currency", "Devise"),
    }, ("campaign", "date", "revenue"),
        expects=Label("WooCommerce : Date de commande, Total de la commande, Statut et _wc_order_attribution_utm_"
                      "campaign", "WooCommerce: Order Date, Order Total, Order Status and "
                      "_wc_order_attribution_utm_campaign")),
)
LAYOUT_OF = {layout.source: layout for layout in LAYOUTS}

#: Deal stages that count as sales (HubSpot's default labels); order states that do not (Shopify, WooCommerce).
WON_STAGES = frozenset(_names("Closed won", "Conclue gagnée", "Fermée gagnée", "Gagnée", "Won", "closedwon"))
LOST_STATUSES = frozenset(_names("voided", "refunded", "cancelled", "canceled", "failed", "pending",
                                 "Annulée", "Remboursée", "Échouée", "En attente", "wc-cancelled", "wc-refunded",
                                 "wc-failed", "wc-pending"))


@dataclass(frozen=True)
class ExportMapping:
    """How to read a file no layout knows (the ``[export]`` table of ``--rules``): the header of each column."""

    columns: dict[str, str]          # role or metric -> header as written in the file
    source_line: int = 0

    def layout(self) -> Layout:
        return Layout("generic", {role: (fold(name),) for role, name in self.columns.items()},
                      ("campaign", "date"), expects=Label("le fichier décrit par --rules : " + ", ".join(
                          self.columns.values()), "the file --rules describes: " + ", ".join(self.columns.values())))


class ExportRow(NamedTuple):
    """One row of an export, normalised: where it was read, its campaign, date, metrics and currency."""

    source: str
    file: str
    line: int
    campaign: str
    date: dt.date | None
    metrics: dict[str, float]
    currency: str


@dataclass
class ExportTable:
    """One export read: its layout, the header of each role, and its rows column by column (``frame``: ``line``,
    ``campaign``, ``date`` (datetime64, NaT where undated), one float column per metric it has, ``currency``,
    ``key``)."""

    source: str
    path: str
    frame: pd.DataFrame
    columns: dict[str, str]
    currency: str = ""
    period: tuple[dt.date, dt.date] | None = None
    skipped_totals: int = 0
    #: Rows of the file that are not sales (a deal not won, a cancelled order), counted apart.
    not_sales: int = 0
    lines: int = 0
    warnings: list[FecProblem] = field(default_factory=list)

    @property
    def metrics(self) -> tuple[str, ...]:
        return tuple(m for m in METRICS if m in self.frame.columns)

    def rows(self) -> Iterator[ExportRow]:
        """The rows one by one, as :class:`ExportRow` (for a report or a test; matching works on ``frame``)."""
        metrics = self.metrics
        for record in self.frame.itertuples(index=False):
            values = record._asdict()
            day = values["date"]
            yield ExportRow(self.source, self.path, int(values["line"]), values["campaign"],
                            None if pd.isna(day) else day.date(), {m: float(values[m]) for m in metrics},
                            values.get("currency") or self.currency)


# --- reading --------------------------------------------------------------------------------------------------

_UNREADABLE = Label("{path} : fichier illisible ({reason})", "{path}: unreadable file ({reason})")
_NOT_FOUND = Label("{path} : fichier introuvable", "{path}: file not found")
_UNKNOWN = Label("{path} : export non reconnu. Colonnes lues (ligne {line}) : {seen}. Attendu l'un de : {expected}",
                 "{path}: export not recognised. Columns read (line {line}): {seen}. Expected one of: {expected}")
_EMPTY = Label("{path} : aucune ligne de données sous l'en-tête", "{path}: no data row under the header")
_VALUES = Label("{path} : {count} valeur(s) refusée(s), rien n'a été importé", "{path}: {count} value(s) refused, "
                "nothing was imported")
_BAD_NUMBER = Label("« {value} » n'est pas un nombre écrit comme les autres du fichier ({example})",
                    "'{value}' is not a number written as the file's others are ({example})")
_BAD_DATE = Label("« {value} » n'est pas une date (attendu p. ex. 15/03/2027, 2027-03-15, 15 mars 2027)",
                  "'{value}' is not a date (expected e.g. 2027-03-15, 15/03/2027, Mar 15, 2027)")
_NO_DATE = Label("{path} : ni colonne de date ni période au-dessus de l'en-tête : exportez par jour (ou par mois) ou "
                 "gardez les lignes de période", "{path}: no date column and no date range above the header: export by "
                 "day (or month) or keep the date range lines")
_WIDE_LINE = Label("{path}, ligne {line} : plus de champs que les {width} colonnes de l'en-tête (un séparateur dans "
                   "une valeur sans guillemets ?)", "{path}, line {line}: more fields than the header's {width} "
                   "columns (a separator inside an unquoted value?)")
_BAD_LINE = Label("{path} : ligne illisible ({reason})", "{path}: unreadable line ({reason})")
_FALLBACK = Label("fichier lu en Windows-1252 (pas en UTF-8) : vérifiez les accents des campagnes",
                  "file read as Windows-1252 (not UTF-8): check the accents of the campaigns")
_AMBIGUOUS_DATES = Label("dates JJ/MM ou MM/JJ indiscernables, lues {how} d'après la langue de l'export",
                         "dates DD/MM or MM/DD cannot be told apart, read {how} from the export's language")
_SPANS_MONTHS = Label("export sans date par ligne sur plusieurs mois ({first}-{last}) : tout est compté "
                      "au mois de sa fin ; exportez mois par mois (ou ajoutez la dimension Date)",
                      "export without a date per row over several months ({first}-{last}): everything is "
                      "counted in its last month; export month by month (or add the Date dimension)")
_MULTI_CURRENCY = Label("plusieurs devises ({currencies}) : les montants sont additionnés tels quels",
                        "several currencies ({currencies}): the amounts are added as they are")


def read_export(path: str | os.PathLike, mapping: ExportMapping | None = None) -> ExportTable:
    """Read the export *path* (CSV or xlsx), recognised from its header (or described by *mapping*).

    Raises :class:`~mplan_xl.core.errors.ExportRefused` for a file that cannot be read, is not recognised, or has
    a value that is not what its column holds; nothing of it is then imported.
    """
    from ..read.inputs import InputRefused, read_input, refusal_label

    try:
        data = read_input(path)
    except InputRefused as err:
        raise ExportRefused(refusal_label(err)) from None
    except OSError:
        raise ExportRefused(_NOT_FOUND, path=str(path)) from None
    return parse_export(data, str(path), mapping)


def parse_export(data: bytes, name: str, mapping: ExportMapping | None = None) -> ExportTable:
    """Read an export from its bytes (*name* for messages). See :func:`read_export`."""
    if data[:4] == b"PK\x03\x04":
        return _table(_xlsx_lines(data, name), b"", name, mapping, [], xlsx=True)
    raw, head = _utf8(data)
    if head is not None:
        try:
            return _table(head, raw, name, mapping, [])
        except _NotUtf8:
            pass
    raw = data.decode("cp1252", errors="replace").encode("utf-8")   # not UTF-8: a Windows file
    return _table(_head(raw), raw, name, mapping, [FecProblem(0, None, _FALLBACK, {}, name)])


class _NotUtf8(Exception):
    """A byte of the file is not UTF-8."""


def _utf8(data: bytes) -> tuple[bytes, str | None]:
    """The file as UTF-8 bytes (UTF-16 with its BOM, or its zero bytes, re-encoded; a UTF-8 BOM dropped) and the text
    of its first lines, or None when they are not UTF-8."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raw = data.decode("utf-16").encode("utf-8")
    elif len(data) > 1 and data[1:2] == b"\x00" and data[:1] != b"\x00":
        raw = data.decode("utf-16-le", errors="replace").encode("utf-8")
    else:
        raw = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    if b"\r" in raw[:200_000] and b"\n" not in raw[:200_000]:   # an old Mac file: lines end with CR alone
        raw = raw.replace(b"\r", b"\n")
    try:
        return raw, _head(raw, strict=True)
    except UnicodeDecodeError:
        return raw, None


def _head(raw: bytes, strict: bool = False) -> str:
    """The text of the first 200 kB of *raw* (UTF-8), cut at a line end."""
    cut = raw[:200_000]
    if len(raw) > len(cut) and b"\n" in cut:
        cut = cut[:cut.rindex(b"\n")]
    return cut.decode("utf-8", errors="strict" if strict else "replace")


def _xlsx_lines(data: bytes, name: str) -> list[list[str]]:
    """The first sheet of an xlsx export as rows of texts (numbers with a decimal point, dates ISO)."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as err:   # a damaged or hostile package: one located message, never a traceback
        raise ExportRefused(_UNREADABLE, path=name, reason=str(err)[:120]) from None
    return [[_cell_text(v) for v in row] for row in rows]


def _cell_text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()[:10]
    return "" if value is None else str(value)


_SEPARATORS = (",", ";", "\t")


def _split(line: str, sep: str) -> list[str]:
    return next(csv.reader([line], delimiter=sep), [])


def _find_header(lines: Sequence[Any], layouts: Sequence[Layout],
                 xlsx: bool) -> tuple[int, str, list[str], Layout, dict[str, int]] | None:
    """The header line (0-based), separator, names, layout and column of each role of the first line that fits."""
    for n, line in enumerate(lines[:HEADER_SEARCH]):
        candidates = [("", line)] if xlsx else [
            (sep, _split(line, sep)) for sep in _SEPARATORS if sep in line and not line.lstrip().startswith("#")]
        for sep, cells in candidates:
            names = [str(c).strip() for c in cells]
            found = _fit(names, layouts)
            if found is not None:
                return n, sep, names, found[0], found[1]
    return None


def _fit(names: list[str], layouts: Sequence[Layout]) -> tuple[Layout, dict[str, int]] | None:
    folded = [fold(n) for n in names]
    best: tuple[int, Layout, dict[str, int]] | None = None
    for layout in layouts:
        roles: dict[str, int] = {}
        for role, accepted in layout.roles.items():
            for alias in accepted:     # the first alias present wins (the more telling names come first)
                index = next((i for i, f in enumerate(folded) if f == alias or (
                    role in layout.prefixed and f.startswith(alias + " ("))), None)
                if index is not None:
                    roles[role] = index
                    break
        if any(r not in roles for r in layout.required):
            continue
        if layout.telling and not any(f in layout.telling or any(f.startswith(t + " (") for t in layout.telling)
                                      for f in folded):
            continue
        score = len(roles) + (10 if layout.telling else 0)
        if best is None or score > best[0]:
            best = (score, layout, roles)
    return (best[1], best[2]) if best else None


def _table(text: str | list[list[str]], raw: bytes, name: str, mapping: ExportMapping | None, warnings: list[FecProblem],
           xlsx: bool = False) -> ExportTable:
    layouts = [mapping.layout()] if mapping is not None else list(LAYOUTS)
    if isinstance(text, str):
        head = text[:200_000].replace("\r\n", "\n").replace("\r", "\n").split("\n")[:HEADER_SEARCH]
        found = _find_header(head, layouts, xlsx=False)
        if found is None and mapping is not None:   # a known tool's export, given with rules for another file
            found = _find_header(head, LAYOUTS, xlsx=False)
        preview: Sequence[Any] = head
    else:
        found = _find_header(text, layouts, xlsx=True)
        if found is None and mapping is not None:
            found = _find_header(text, LAYOUTS, xlsx=True)
        preview = text[:HEADER_SEARCH]
    if found is None:
        first = next((row for row in preview if (row if isinstance(row, list) else row.strip())), "")
        seen = first if isinstance(first, list) else max((_split(first, s) for s in _SEPARATORS), key=len)
        line = (list(preview).index(first) + 1) if first else 1
        seen = ["".join(ch for ch in c if ch.isprintable()) for c in seen]
        raise ExportRefused(_UNKNOWN, path=name, line=line, seen=", ".join(c for c in seen if c)[:300] or "-",
                            expected=Label(" | ".join(layout.expects("fr") for layout in layouts),
                                           " | ".join(layout.expects("en") for layout in layouts)))
    header_at, sep, names, layout, roles = found
    above = [(" ".join(r) if isinstance(r, list) else r) for r in preview[:header_at]]
    if isinstance(text, str):
        figures = {roles[role] for role in (*METRICS, "refunded", "key") if role in roles}
        frame = _read_csv(raw, header_at, sep, names, name, categories=[i for i in range(len(names))
                                                                          if i not in figures])
    else:
        width = len(names)
        body = [(r + [""] * width)[:width] for r in text[header_at + 1:]]
        frame = pd.DataFrame(body, columns=range(width), dtype=object)
        frame.index = pd.RangeIndex(header_at + 2, header_at + 2 + len(body))
    return _normalise(frame, layout, roles, names, name, above, warnings)


def _read_csv(raw: bytes, header_at: int, sep: str, names: list[str], name: str,
              categories: Sequence[int] = ()) -> pd.DataFrame:
    """The rows under the header, every field a text (the columns *categories* as categories: campaigns, dates,
    states repeat over the rows), indexed by their line number (1-based)."""
    # Skip the lines above the header and the header itself by position: the title lines have other field counts.
    start = 0
    for _ in range(header_at + 1):
        nl = raw.find(b"\n", start)
        start = len(raw) if nl < 0 else nl + 1
    width = len(names)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", pd.errors.ParserWarning)
            dtype: dict[int, Any] = {i: ("category" if i in categories else object) for i in range(width)}
            frame = pd.read_csv(io.BytesIO(raw[start:]), sep=sep, header=None, names=range(width), dtype=dtype,
                                keep_default_na=False, na_filter=False, skip_blank_lines=False, engine="c",
                                quotechar='"', index_col=False, encoding="utf-8")
        if any(issubclass(w.category, pd.errors.ParserWarning) for w in caught):   # a row wider than the header
            reader = csv.reader(io.StringIO(raw[start:].decode("utf-8", errors="replace")), delimiter=sep)
            line = next((header_at + 1 + reader.line_num for row in reader if len(row) > width), 0)
            raise ExportRefused(_WIDE_LINE, path=name, line=line, width=width)
    except UnicodeDecodeError:
        raise _NotUtf8() from None
    except pd.errors.ParserError as err:
        wide = re.search(r"Expected \d+ fields in line (\d+), saw", str(err))
        if wide:
            raise ExportRefused(_WIDE_LINE, path=name, line=int(wide.group(1)) + header_at + 1, width=width) from None
        found = re.search(r"line (\d+)", str(err))
        reason = (f"{int(found.group(1)) + header_at + 1}: " if found else "") + str(err).strip().split(". ")[-1][:80]
        raise ExportRefused(_BAD_LINE, path=name, reason=reason) from None
    except pd.errors.EmptyDataError:
        frame = pd.DataFrame(columns=range(width), dtype=object)
    body = raw[start:]
    physical = body.count(b"\n") + (0 if not body or body.endswith(b"\n") else 1)
    if len(frame) == physical:
        frame.index = pd.RangeIndex(header_at + 2, header_at + 2 + len(frame))
    else:   # a quoted value spans lines (Shopify's notes): each row's line is where it starts, as an editor shows it
        reader = csv.reader(io.StringIO(body.decode("utf-8", errors="replace"), newline=""), delimiter=sep)
        starts, line = [], 0
        for _ in reader:
            starts.append(header_at + 2 + line)
            line = reader.line_num
        frame.index = pd.Index(starts[:len(frame)] + list(range(len(starts), len(frame))))
    return frame


_TOTAL = re.compile(r"^(?:grand )?total(?:e?s)?(?:\b|$)|^total general", re.IGNORECASE)


def _normalise(frame: pd.DataFrame, layout: Layout, roles: dict[str, int], names: list[str], name: str,
               above: list[str], warnings: list[FecProblem]) -> ExportTable:
    """From the texts of the file to the normalised columns, refusing what does not fit."""
    # Blank rows (trailing newlines, separators between blocks) are no rows.
    factorized: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def by_value(index: int, func: Any) -> pd.Series:
        if index not in factorized:
            factorized[index] = _factorize(frame[index])
        return _by_value(frame[index], func, factorized[index])

    campaign = by_value(roles["campaign"], str.strip)
    blank = by_value(roles["campaign"], lambda v: not v.strip())
    total = by_value(roles["campaign"], lambda v: bool(_TOTAL.match(v.strip().lower())))
    for index in {0, roles.get("date", 0)}:   # Google Ads writes "Total: Account" in its first column
        total |= by_value(index, lambda v: bool(_TOTAL.match(v.strip().lower())))
        blank &= by_value(index, lambda v: not v.strip())
    line_items = pd.Series(False, index=frame.index)
    if layout.source == "shopify":    # one row per line item: the order's figures are on its first row only
        line_items = _by_value(frame[roles["revenue"]], lambda v: not v.strip())
    keep = ~(blank | total | line_items)
    lines = int((~(blank | line_items)).sum())   # the data rows: neither blank nor an order's further line items
    skipped_totals = int((total & ~blank).sum())
    frame = frame[keep]
    campaign = campaign[keep]
    if len(frame) == 0:
        raise ExportRefused(_EMPTY, path=name)
    problems: list[FecProblem] = []
    out = pd.DataFrame({"line": frame.index.to_numpy()}, index=frame.index)
    # As a category: an export repeats a few campaigns over its rows, and matching works on the distinct ones.
    out["campaign"] = pd.Categorical(_campaign_values(campaign, names[roles["campaign"]]).astype(str))
    currency = ""
    if "cost" in roles:
        found = re.search(r"\(([A-Z]{3})\)\s*$", names[roles["cost"]])
        currency = found.group(1) if found else ""
    figures = {role: _joined(frame[roles[role]]) for role in (*METRICS, "refunded") if role in roles}
    decimal = _convention([cleaned for _, cleaned in figures.values()])
    numbers = {role: _numbers(frame[roles[role]], *figures[role], decimal, names[roles[role]], problems)
               for role in figures}
    for metric in METRICS:
        if metric in numbers:
            out[metric] = numbers[metric]
    if "refunded" in numbers and "revenue" in out:
        out["revenue"] = out["revenue"] - numbers["refunded"]
    day_first = _day_first([str(v).strip() for v in _factorize(frame[roles["date"]])[1]] if "date" in roles
                           else [], above, layout, names, warnings, name)
    period = _period(above, day_first)
    if "date" in roles:   # a Meta export not broken down by day is dated by its start (Reporting starts)
        out["date"] = _dates(frame[roles["date"]], names[roles["date"]], day_first, problems)
    elif period is not None:
        out["date"] = pd.Timestamp(period[1])
        if (period[0].year, period[0].month) != (period[1].year, period[1].month):
            warnings.append(FecProblem(0, None, _SPANS_MONTHS, {"first": f"{period[0]:%d/%m/%Y}",
                                                                "last": f"{period[1]:%d/%m/%Y}"}, name))
    else:
        raise ExportRefused(_NO_DATE, path=name)
    if problems:
        raise _refused(name, problems)
    if "currency" in roles:
        values = _by_value(frame[roles["currency"]], lambda v: v.strip().upper())
        out["currency"] = values.where(values != "", currency)
        distinct = sorted(set(values.unique()) - {""})
        if len(distinct) > 1:
            warnings.append(FecProblem(0, None, _MULTI_CURRENCY, {"currencies": ", ".join(distinct[:5])}, name))
        currency = currency or (distinct[0] if len(distinct) == 1 else "")
    if "key" in roles:
        out["key"] = _by_value(frame[roles["key"]], str.strip)
    not_sales = 0
    sales = pd.Series(True, index=out.index)
    if "stage" in roles:
        stage = _by_value(frame[roles["stage"]], fold)
        sales &= stage.isin(WON_STAGES)
    if "status" in roles:
        status = _by_value(frame[roles["status"]], fold)
        sales &= ~status.isin(LOST_STATUSES)
    if "cancelled" in roles:
        sales &= _by_value(frame[roles["cancelled"]], lambda v: not v.strip())
    if not sales.all():
        not_sales = int((~sales).sum())
        out = out[sales]
    columns = {role: names[index] for role, index in roles.items()}
    table = ExportTable(layout.source, name, out.reset_index(drop=True), columns, currency, period, skipped_totals,
                        not_sales, lines, warnings)
    return table


_UTM = re.compile(r"utm_campaign\s*[=:]\s*([^&;\s\n,]+)", re.IGNORECASE)


def _campaign_values(campaign: pd.Series, header: str) -> pd.Series:
    """The campaign of each row: the cell, or the ``utm_campaign`` of a URL or of note attributes."""
    key = fold(header)
    if key in _names("Landing Site", "Note Attributes", "Original Source Drill-Down 2") or any(
            "utm_campaign" in str(value).lower() for value in pd.unique(campaign)):
        from urllib.parse import unquote_plus

        def utm(value: str) -> str:
            found = _UTM.search(value)
            return unquote_plus(found.group(1)) if found else ("" if ("/" in value or "=" in value) else value)
        return campaign.map(utm)
    return campaign



def _convention(columns: Sequence[str]) -> str:
    """The file's decimal separator, from all its amounts (:func:`~mplan_xl.year.fec.number_convention`)."""
    from .fec import number_convention

    # A sample of each column tells: its first 300 kB (some 40,000 values).
    return number_convention([text[:300_000] for text in columns])


def _joined(values: pd.Series) -> tuple[list[str], str]:
    """The texts of a column, and the column as one text, a value a line, without currency signs and spaces.

    The column is worked on as one text (C-speed replacements and checks), not value by value."""
    texts = values.tolist()
    try:
        joined = "\n".join(texts)
    except TypeError:   # a missing field (a short row): no text
        texts = values.fillna("").tolist()
        joined = "\n".join(texts)
    if joined.count("\n") != len(texts) - 1:   # a value spanning lines is no number: checked one by one
        joined = "\n".join(t.replace("\n", " ") for t in texts)
    cleaned = joined
    for ch in _DROPPED:
        if ch in cleaned:
            cleaned = cleaned.replace(ch, "")
    if cleaned.upper() != cleaned.lower():   # letters: currency codes (EUR), or no number
        cleaned = _CURRENCY_CODE.sub("", cleaned)
    return texts, cleaned


def _numbers(values: pd.Series, texts: list[str], cleaned: str, decimal: str, column: str,
             problems: list[FecProblem]) -> pd.Series:
    """The numbers of a column (see :func:`_joined`) in the file's convention; the values that are not numbers go
    to *problems*."""
    group = "." if decimal == "," else ","
    wrong = [m.start() for m in _BAD_GROUPING[decimal].finditer(cleaned)] if group in cleaned else []
    cleaned = cleaned.replace(group, "")
    if decimal == ",":
        cleaned = cleaned.replace(",", ".")
    if "\u2212" in cleaned:
        cleaned = cleaned.replace("\u2212", "-")
    bad = {cleaned.count("\n", 0, at) for at in wrong}
    count = len(texts)
    floats = None if bad else _floats(cleaned, count)
    if floats is None or cleaned.upper() != cleaned.lower():   # float() reads 1e308, inf, nan: not we
        lines = _NOTHING.sub("0", cleaned).split("\n")
        bad |= {n for n, line in enumerate(lines) if not _PLAIN_NUMBER.fullmatch(line)}
        for n in bad:
            lines[n] = "0"
        floats = np.array([line.rstrip("%") for line in lines], dtype=float)
    if bad:
        example = "1 234,56" if decimal == "," else "1,234.56"
        for n in sorted(bad)[:MAX_PROBLEMS]:
            problems.append(FecProblem(int(values.index[n]), column, _BAD_NUMBER, {"value": texts[n][:40],
                                                                                   "example": example}))
        problems.append(FecProblem(-len(bad), column, _BAD_NUMBER, {"value": "", "example": ""}))
    return pd.Series(floats, index=values.index)


def _floats(text: str, count: int) -> np.ndarray | None:
    """The numbers of *text*, one a line, read by pandas' C parser; None when a line is no number to it."""
    try:
        parsed = pd.read_csv(io.StringIO(text), header=None, names=["v"], dtype={"v": float}, engine="c",
                             skip_blank_lines=False, keep_default_na=False, na_values=_NOTHING_TEXTS,
                             quoting=csv.QUOTE_NONE)["v"].fillna(0.0).to_numpy()
    except (ValueError, pd.errors.ParserError):
        return None
    return parsed if len(parsed) == count else None


def _factorize(values: pd.Series) -> tuple[np.ndarray, Any]:
    """Codes and distinct values of a column (a missing field as "")."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy().astype(np.intp)
        uniques = [*values.cat.categories, ""]
        codes[codes < 0] = len(uniques) - 1
        return codes, uniques
    return pd.factorize(values.fillna(""), use_na_sentinel=False)


def _by_value(values: pd.Series, func: Any, factorized: tuple[np.ndarray, Any] | None = None) -> pd.Series:
    """*func* of each value, computed once per distinct value (exports repeat their campaigns, dates, states)."""
    codes, uniques = factorized or _factorize(values)
    mapped = np.array([func(str(u)) for u in uniques], dtype=object)
    result = pd.Series(mapped[codes] if len(uniques) else [], index=values.index, dtype=object)
    return result.astype(bool) if len(uniques) and isinstance(mapped[0], (bool, np.bool_)) else result


_DROPPED = "€$£¥ \t\u00a0\u202f\u2009"
_CURRENCY_CODE = re.compile(r"\b(?:EUR|USD|GBP|CHF|CAD|AUD|XOF|XPF|MAD|TND)\b", re.IGNORECASE)
#: A line whose grouping mark does not group three digits (``1,5`` in a decimal-point file).
_BAD_GROUPING = {d: re.compile(rf"^(?![+-]?\d{{1,3}}(?:{re.escape(g)}\d{{3}})+(?:{re.escape(d)}\d+)?%?$)"
                               rf"[^\n]*{re.escape(g)}[^\n]*$", re.MULTILINE)
                 for d, g in ((",", "."), (".", ","))}
_NOTHING_TEXTS = ["", "--", "-", "—", "–"]
_NOTHING = re.compile(r"^(?:--|-|—|–)?$", re.MULTILINE)
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)%?")


_MONTHS = {fold(name): n for n, names in enumerate((
    ("jan", "janv", "january", "janvier"), ("feb", "fevr", "fev", "february", "fevrier"), ("mar", "march", "mars"),
    ("apr", "avr", "april", "avril"), ("may", "mai"), ("jun", "june", "juin"), ("jul", "juil", "july", "juillet"),
    ("aug", "august", "aout"), ("sep", "sept", "september", "septembre"), ("oct", "october", "octobre"),
    ("nov", "november", "novembre"), ("dec", "december", "decembre")), start=1) for name in names}
_ISO = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})(?:$|[T\s])")
_SLASH = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?:$|[,\s])")
_WORDS = re.compile(r"^(?:(\d{1,2})(?:er)?\s+([^\W\d]+)\.?\s+(\d{4})|([^\W\d]+)\.?\s+(\d{1,2}),?\s+(\d{4})"
                    r"|([^\W\d]+)\.?\s+(\d{4}))(?:$|[,\s])")
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_day(text: str, day_first: bool = True) -> dt.date | None:
    """A date as the exports write it; None when it is none.

    >>> [parse_day(t) for t in ("2027-03-15", "20270315", "15/03/2027", "15 mars 2027", "Mar 15, 2027")] \\
    ...     == [dt.date(2027, 3, 15)] * 5
    True
    >>> parse_day("3/15/2027", day_first=False), parse_day("janvier 2027"), parse_day("2027-03-15 10:32:11 +0100")
    (datetime.date(2027, 3, 15), datetime.date(2027, 1, 1), datetime.date(2027, 3, 15))
    """
    text = text.strip()
    try:
        if found := _ISO.match(text):
            return dt.date(int(found[1]), int(found[2]), int(found[3]))
        if found := _SLASH.match(text):
            a, b = int(found[1]), int(found[2])
            return dt.date(int(found[3]), b, a) if day_first else dt.date(int(found[3]), a, b)
        if found := _YEAR_MONTH.match(text):
            return dt.date(int(found[1]), int(found[2]), 1)
        if found := _WORDS.match(text):
            if found[1]:
                month, day, year = _MONTHS.get(fold(found[2]).rstrip(".")), int(found[1]), int(found[3])
            elif found[4]:
                month, day, year = _MONTHS.get(fold(found[4]).rstrip(".")), int(found[5]), int(found[6])
            else:
                month, day, year = _MONTHS.get(fold(found[7]).rstrip(".")), 1, int(found[8])
            return dt.date(year, month, day) if month else None
    except ValueError:
        return None
    return None


def _day_first(distinct: Sequence[str], above: list[str], layout: Layout, names: list[str],
               warnings: list[FecProblem], name: str) -> bool:
    """Whether the file's slashed dates are DD/MM (French) or MM/DD (an English LinkedIn export), decided from all
    its dates (a part above 12 tells), else from the language of its header."""
    texts = [*distinct, *(t for line in above for t in _RANGE_DATE.findall(line))]
    slashed = [(int(m[1]), int(m[2])) for m in map(_SLASH.match, texts) if m]
    if not slashed or any(a > 12 for a, _ in slashed):
        return True
    if any(b > 12 for _, b in slashed):
        return False
    english = all(fold(n) == n.casefold() for n in names) and not any("de" in fold(n).split() for n in names)
    day_first = not (english and layout.source == "linkedin")
    if len({a for a, _ in slashed}) > 1 and len({b for _, b in slashed}) > 1:
        how = Label("JJ/MM", "DD/MM") if day_first else Label("MM/JJ", "MM/DD")
        warnings.append(FecProblem(0, None, _AMBIGUOUS_DATES, {"how": how}, name))
    return day_first


def _dates(values: pd.Series, column: str, day_first: bool, problems: list[FecProblem]) -> pd.Series:
    """The dates of a column, parsed once per distinct text."""
    text = _by_value(values, str.strip)
    distinct = pd.unique(text)
    parsed = {v: parse_day(v, day_first) for v in distinct}
    bad = [v for v, d in parsed.items() if d is None]
    if bad:
        wrong = text.isin(bad)
        for line, value in text[wrong].head(MAX_PROBLEMS).items():
            problems.append(FecProblem(int(line), column, _BAD_DATE, {"value": value[:40]}))
        problems.append(FecProblem(-int(wrong.sum()), column, _BAD_DATE, {"value": ""}))
        return pd.Series(pd.NaT, index=values.index)
    stamps = {v: pd.Timestamp(d) for v, d in parsed.items()}
    return pd.to_datetime(text.map(stamps))


_RANGE_DATE = re.compile(r"\d{4}-?\d{2}-?\d{2}|\d{1,2}[/.]\d{1,2}[/.]\d{4}|\d{1,2}(?:er)?\s+[^\W\d]+\.?\s+\d{4}"
                         r"|[^\W\d]+\.?\s+\d{1,2},?\s+\d{4}")


def _period(above: list[str], day_first: bool = True) -> tuple[dt.date, dt.date] | None:
    """The date range written above the header (GA4's ``# Start date: 20270301``, Google Ads' second line), if
    any: the first two dates found there (a report's generation date comes after them).

    >>> _period(["Campaign report", "March 1, 2027 - March 31, 2027"])
    (datetime.date(2027, 3, 1), datetime.date(2027, 3, 31))
    """
    days = [d for line in above for d in (parse_day(t, day_first) for t in _RANGE_DATE.findall(line))
            if d is not None][:2]
    return (min(days), max(days)) if days else None


def _refused(name: str, problems: list[FecProblem]) -> ExportRefused:
    counts = [p for p in problems if p.line < 0]
    listed = [p for p in problems if p.line > 0]
    return ExportRefused(_VALUES, listed, path=name, count=sum(-p.line for p in counts))


def read_mapping(table: dict[str, Any], path: str) -> ExportMapping:
    """The ``[export]`` table of a rules file: ``campaign``, ``date`` and at least one metric column."""
    from ..core.errors import RulesError

    allowed = {"campaign", "date", "currency", "key", *METRICS}
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise RulesError(Label("{path} : [export] : clé(s) inconnue(s) {keys} (attendu : {allowed})",
                               "{path}: [export]: unknown key(s) {keys} (expected: {allowed})"),
                         path=path, keys=", ".join(unknown), allowed=", ".join(sorted(allowed)))
    missing = [k for k in ("campaign", "date") if not isinstance(table.get(k), str) or not table[k].strip()]
    if missing or not any(isinstance(table.get(m), str) for m in METRICS):
        raise RulesError(Label("{path} : [export] doit nommer les colonnes campaign, date et au moins une mesure "
                               "({metrics})", "{path}: [export] must name the columns campaign, date and at least one "
                               "metric ({metrics})"), path=path, metrics=", ".join(METRICS))
    return ExportMapping({k: str(v).strip() for k, v in table.items()})


def source_name(source: str) -> str:
    return SOURCE_NAMES.get(source, source)


__all__ = ["ExportMapping", "ExportRow", "ExportTable", "LAYOUTS", "METRICS", "Path", "parse_day", "parse_export",
           "read_export", "read_mapping"]
