"""What each action really brought in: the rows of the exports matched to the plan's actions by campaign code.

Which rows count: the rows of the exports (:mod:`mplan_xl.year.exports`) dated in the plan year, up to ``as_of``
when given. The same row read twice (the same file given twice, or two exports whose periods overlap) counts
once: a row whose fingerprint (source, campaign, date, order or deal key, every metric) was already read from an
earlier file is a *duplicate*, counted apart and named in the report. Two rows alike inside one file are two
rows (a report segmented by network writes such rows).

A row belongs to an action by the first of these that applies:

1. **the campaign code**: the row's campaign equal to an action's *Code campagne*; else equal ignoring case,
   accents and spacing (:func:`~mplan_xl.core.vocabulary.fold`);
2. **an explicit rule** of the rules file (``[[match]]``: a campaign pattern, ``*`` and ``?`` as wildcards, and
   the action it names); the first rule that fits wins.

Nothing is dropped: a row that no action claims is *unmatched*, listed (file, campaign, month, amounts) in the
report and in a sheet of the copy; a row of another year or after the situation date is *ignored* with its reason.
The same campaign in two exports (its cost in Google Ads, its revenue in GA4) is matched in both.

What goes where (:func:`match_exports`):

- the **achieved gain** of an action, month by month: the revenue of one kind of source, so no sale is counted
  twice (an order is in the shop's export, in GA4 and in the platform's conversion value): the sales (shop or
  CRM exports, or a file described by ``--rules``) when any names the action, else the site analytics (GA4), else
  the platforms' conversion value; or the sources the rules name. The team chooses revenue or margin at a rate
  (``[gain] basis = "margin"``, ``margin_rate = 0.35``);
- the **cost billed by the ad platforms** per action, set beside its actual spend from the accounts (a gap is a
  warning, never an overwrite);
- the **KPI months** of every KPI whose *Métrique source* names a metric: the whole site's or account's figure
  of each month, matched or not (the traffic of the site is every session, not only the campaigns').

It imports no Excel library; the exports are pandas frames.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd

from ..core.errors import FecProblem, RulesError
from ..core.numbers import format_number
from ..core.vocabulary import Label, fold
from .exports import AD_SOURCES, METRICS, SALES_SOURCES, ExportMapping, ExportTable, read_mapping, source_name

#: Why a row is not matched nor unmatched, in the report.
OTHER_YEAR, AFTER_AS_OF, DUPLICATE, TOTALS, NOT_SALES = "other_year", "after_as_of", "duplicate", "totals", "not_sales"
IGNORED_REASONS = {OTHER_YEAR: Label("autre année", "another year"),
                   AFTER_AS_OF: Label("après la date de situation", "after the situation date"),
                   DUPLICATE: Label("déjà lue dans un export précédent", "already read in an earlier export"),
                   TOTALS: Label("lignes de total de l'export", "the export's total lines"),
                   NOT_SALES: Label("transactions non gagnées, commandes annulées ou remboursées",
                                    "deals not won, orders cancelled or refunded")}
#: How a row was claimed, in the report.
BY_CODE, BY_FOLDED_CODE, BY_RULE = "campaign_code", "campaign_code_folded", "rule"
#: Gain sources, by preference: the sales themselves, then the site analytics, then the ad platforms.
GAIN_PREFERENCE = (SALES_SOURCES, ("ga4",), AD_SOURCES)
#: KPI source metric -> the sources it is taken from, by preference (the first that has the metric).
KPI_PREFERENCE = {"sessions": (("ga4",),), "conversions": (("ga4",), AD_SOURCES), "revenue": GAIN_PREFERENCE,
                  "cost": (AD_SOURCES,), "clicks": (AD_SOURCES,), "impressions": (AD_SOURCES,)}
#: A gap between what the platforms billed and the action's actual spend below which no warning is given.
GAP_TOLERANCE = 1.0


@dataclass(frozen=True)
class ActionCode:
    """What matching needs of an action: its id and its campaign code."""

    id: str
    campaign: str = ""


@dataclass(frozen=True)
class MatchRule:
    """``[[match]]`` of the rules file: a campaign pattern and the action it names."""

    pattern: str
    action_id: str

    def applies(self, campaign: str) -> bool:
        return fnmatch.fnmatchcase(fold(campaign), fold(self.pattern))


@dataclass
class ResultsRules:
    """The rules file of ``results`` (TOML or YAML)."""

    basis: str = "revenue"              # revenue | margin
    margin_rate: float = 1.0
    sources: tuple[str, ...] = ()       # the sources of the gain (default: GAIN_PREFERENCE)
    mapping: ExportMapping | None = None
    matches: tuple[MatchRule, ...] = ()

    def gain(self, revenue: float) -> float:
        return revenue * self.margin_rate if self.basis == "margin" else revenue


_RULES_FORMAT = Label("{path} : règles illisibles ({reason})", "{path}: unreadable rules ({reason})")
_RULES_KEY = Label("{path} : [{table}] {key} : {problem}", "{path}: [{table}] {key}: {problem}")


def read_results_rules(path: str | os.PathLike, action_ids: Iterable[str]) -> ResultsRules:
    """The rules file: TOML (``.toml``) or YAML (``.yaml``/``.yml``), with the tables ``[gain]``, ``[export]`` and
    ``[[match]]``. Raises :class:`~mplan_xl.core.errors.RulesError` naming the file and the key at fault."""
    from ..read.inputs import InputRefused, read_input, refusal_label

    name = str(path)
    try:
        data = read_input(path)
    except InputRefused as err:
        raise RulesError(refusal_label(err)) from None
    except OSError:
        raise RulesError(Label("{path} : fichier de règles introuvable", "{path}: rules file not found"),
                         path=name) from None
    text = data.decode("utf-8-sig", errors="replace")
    try:
        if Path(name).suffix.lower() in (".yaml", ".yml"):
            try:
                import yaml
            except ImportError:   # pragma: no cover - PyYAML is optional
                raise RulesError(Label("{path} : lire du YAML demande PyYAML (pip install pyyaml), ou écrivez les "
                                       "règles en TOML", "{path}: reading YAML needs PyYAML (pip install pyyaml), or "
                                       "write the rules in TOML"), path=name) from None
            loaded = yaml.safe_load(text) or {}
        else:
            import tomllib
            loaded = tomllib.loads(text)
    except RulesError:
        raise
    except Exception as err:   # the parser's own message says the line
        raise RulesError(_RULES_FORMAT, path=name, reason=str(err).splitlines()[0][:160]) from None
    if not isinstance(loaded, dict):
        raise RulesError(_RULES_FORMAT, path=name, reason="not a table")
    return _rules(loaded, name, list(action_ids))


def _rules(loaded: dict[str, Any], name: str, action_ids: list[str]) -> ResultsRules:
    unknown = sorted(set(loaded) - {"gain", "export", "match"})
    if unknown:
        raise RulesError(_RULES_KEY, path=name, table=unknown[0], key="", problem=Label(
            "table inconnue (attendu : gain, export, match)", "unknown table (expected: gain, export, match)")("fr"))
    rules = ResultsRules()
    gain = loaded.get("gain", {})
    basis = str(gain.get("basis", "revenue")).strip().lower()
    if basis not in ("revenue", "margin"):
        raise RulesError(_RULES_KEY, path=name, table="gain", key="basis", problem="revenue | margin")
    rules.basis = basis
    if basis == "margin":
        rate = gain.get("margin_rate")
        if isinstance(rate, str):
            rate = float(rate.strip().rstrip("%").replace(",", ".")) / (100 if rate.strip().endswith("%") else 1)
        if not isinstance(rate, (int, float)) or isinstance(rate, bool) or not 0 < float(rate) <= 1:
            raise RulesError(_RULES_KEY, path=name, table="gain", key="margin_rate",
                             problem="0 < taux <= 1 (p. ex. 0.35 ou \"35 %\")")
        rules.margin_rate = float(rate)
    sources = gain.get("sources", [])
    known = (*SALES_SOURCES, "ga4", *AD_SOURCES)
    if not isinstance(sources, list) or any(s not in known for s in sources):
        raise RulesError(_RULES_KEY, path=name, table="gain", key="sources", problem=", ".join(known))
    rules.sources = tuple(sources)
    if "export" in loaded:
        rules.mapping = read_mapping(loaded["export"], name)
    known_ids = {a.casefold(): a for a in action_ids}
    matches = []
    for n, entry in enumerate(loaded.get("match", []), start=1):
        pattern, action = str(entry.get("campaign", "")).strip(), str(entry.get("action", "")).strip()
        if not pattern or action.casefold() not in known_ids:
            raise RulesError(_RULES_KEY, path=name, table=f"match #{n}", key="action" if pattern else "campaign",
                             problem=f"« {action[:40]} » : action inconnue du plan" if pattern else "vide")
        matches.append(MatchRule(pattern, known_ids[action.casefold()]))
    rules.matches = tuple(matches)
    return rules


# --- the result -----------------------------------------------------------------------------------------------

@dataclass
class Tally:
    """A count of rows and the sums of their metrics."""

    count: int = 0
    sums: dict[str, float] = field(default_factory=dict)

    def add(self, frame: pd.DataFrame) -> None:
        self.count += len(frame)
        for metric in METRICS:
            if metric in frame:
                self.sums[metric] = self.sums.get(metric, 0.0) + float(frame[metric].sum())

    def as_dict(self) -> dict[str, Any]:
        return {"count": self.count, **{m: round(v, 2) for m, v in self.sums.items()}}


@dataclass
class FileReport:
    """What was read from one file."""

    path: str
    source: str
    columns: dict[str, str]
    currency: str
    period: tuple[dt.date, dt.date] | None
    lines: int
    matched: Tally = field(default_factory=Tally)
    unmatched: Tally = field(default_factory=Tally)
    ignored: dict[str, Tally] = field(default_factory=lambda: {reason: Tally() for reason in IGNORED_REASONS})
    duplicate_of: set[str] = field(default_factory=set)

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "source": self.source, "source_name": source_name(self.source),
                "columns": self.columns, "currency": self.currency,
                "period": [d.isoformat() for d in self.period] if self.period else None,
                "data_lines": self.lines, "matched": self.matched.as_dict(), "unmatched": self.unmatched.as_dict(),
                "ignored": {r: t.as_dict() for r, t in self.ignored.items()},
                "duplicates_of": sorted(self.duplicate_of)}


@dataclass
class ActionResults:
    """What the exports say of one action."""

    id: str
    campaign: str
    #: metric -> month (1-12) -> value, per source.
    by_source: dict[str, dict[str, dict[int, float]]] = field(default_factory=dict)
    gain_months: dict[int, float] = field(default_factory=dict)
    gain_sources: tuple[str, ...] = ()
    matched_by: set[str] = field(default_factory=set)

    @property
    def gain(self) -> float | None:
        return round(math.fsum(self.gain_months.values()), 2) if self.gain_months else None

    def metric(self, metric: str, sources: Sequence[str]) -> dict[int, float]:
        months: dict[int, float] = {}
        for source in sources:
            for month, value in self.by_source.get(source, {}).get(metric, {}).items():
                months[month] = months.get(month, 0.0) + value
        return months

    @property
    def platform_cost(self) -> float | None:
        months = self.metric("cost", AD_SOURCES)
        return round(math.fsum(months.values()), 2) if months else None


@dataclass
class UnmatchedGroup:
    """Rows of one file that no action claimed, grouped by campaign and month."""

    file: str
    source: str
    campaign: str
    month: str            # YYYY-MM
    rows: int
    first_line: int
    sums: dict[str, float]

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "source": self.source, "campaign": self.campaign, "month": self.month,
                "rows": self.rows, "first_line": self.first_line, **{m: round(v, 2) for m, v in self.sums.items()}}


@dataclass
class ResultsResult:
    """What the matching found."""

    year: int
    as_of: dt.date | None
    rules: ResultsRules
    files: list[FileReport]
    actions: dict[str, ActionResults]
    unmatched: list[UnmatchedGroup]
    #: KPI metric code -> month -> value (the whole site or account, matched or not).
    kpi_metrics: dict[str, dict[int, float]] = field(default_factory=dict)
    warnings: list[FecProblem] = field(default_factory=list)
    currency: str = ""

    @property
    def matched_count(self) -> int:
        return sum(f.matched.count for f in self.files)

    @property
    def unmatched_count(self) -> int:
        return sum(f.unmatched.count for f in self.files)

    def total(self, part: str, metric: str) -> float:
        return round(math.fsum(getattr(f, part).sums.get(metric, 0.0) for f in self.files), 2)

    def ignored(self) -> dict[str, Tally]:
        out = {reason: Tally() for reason in IGNORED_REASONS}
        for f in self.files:
            for reason, tally in f.ignored.items():
                out[reason].count += tally.count
                for m, v in tally.sums.items():
                    out[reason].sums[m] = out[reason].sums.get(m, 0.0) + v
        return out

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """The JSON report: per file what was read, matched, unmatched and ignored (by reason); per action its
        gain (by month, with its sources), its platform cost; the unmatched rows by campaign and month; the KPI
        metrics; the warnings (in *lang*). Counts reconcile per file: matched + unmatched + ignored = rows read."""
        ignored = self.ignored()
        return {
            "kind": "mplan-xl results",
            "year": self.year, "as_of": self.as_of.isoformat() if self.as_of else None,
            "gain": {"basis": self.rules.basis, "margin_rate": self.rules.margin_rate if self.rules.basis == "margin"
                     else None, "sources": list(self.rules.sources) or None},
            "files": [f.as_dict() for f in self.files],
            "matched": {"count": self.matched_count, **{m: self.total("matched", m) for m in METRICS}},
            "unmatched": {"count": self.unmatched_count, **{m: self.total("unmatched", m) for m in METRICS},
                          "rows": [u.as_dict() for u in self.unmatched]},
            "ignored": {"count": sum(t.count for t in ignored.values()),
                        "reasons": {r: t.as_dict() for r, t in ignored.items()}},
            "actions": {a.id: {"campaign": a.campaign, "achieved_gain": a.gain,
                               "gain_months": {f"{m:02d}": round(v, 2) for m, v in sorted(a.gain_months.items())},
                               "gain_sources": list(a.gain_sources), "platform_cost": a.platform_cost,
                               "matched_by": sorted(a.matched_by)}
                        for a in self.actions.values() if a.by_source},
            "kpi_metrics": {k: {f"{m:02d}": round(v, 4) for m, v in sorted(months.items())}
                            for k, months in self.kpi_metrics.items()},
            "warnings": [w.text(lang) for w in self.warnings],
        }

    def money(self, amount: float, lang: str = "fr") -> str:
        return f"{format_number(amount, lang)} {self.currency}".rstrip()

    def summary(self, lang: str = "fr") -> list[str]:
        ignored = self.ignored()
        reasons = ", ".join(_REASON(lang).format(reason=IGNORED_REASONS[r](lang), count=t.count)
                            for r, t in ignored.items() if t.count)
        return [
            _SUMMARY_MATCHED(lang).format(count=self.matched_count, actions=sum(1 for a in self.actions.values()
                                                                               if a.by_source),
                                          revenue=self.money(self.total("matched", "revenue"), lang),
                                          cost=self.money(self.total("matched", "cost"), lang)),
            _SUMMARY_UNMATCHED(lang).format(count=self.unmatched_count,
                                            revenue=self.money(self.total("unmatched", "revenue"), lang),
                                            cost=self.money(self.total("unmatched", "cost"), lang)),
            _SUMMARY_IGNORED(lang).format(count=sum(t.count for t in ignored.values()), reasons=reasons or "-"),
        ]


_SUMMARY_MATCHED = Label("Rapprochées : {count} ligne(s) sur {actions} action(s) ; chiffre d'affaires {revenue}, "
                         "coût {cost}", "Matched: {count} row(s) to {actions} action(s); revenue {revenue}, cost {cost}")
_SUMMARY_UNMATCHED = Label("Non rapprochées : {count} ligne(s) ; chiffre d'affaires {revenue}, coût {cost}",
                           "Unmatched: {count} row(s); revenue {revenue}, cost {cost}")
_SUMMARY_IGNORED = Label("Ignorées : {count} ligne(s) ({reasons})", "Ignored: {count} row(s) ({reasons})")
_REASON = Label("{reason} : {count}", "{reason}: {count}")
_GAP = Label("{action} : les régies ont facturé {cost} ; la comptabilité (Dépense réelle) en tient {actual} : à "
             "vérifier (rien n'est remplacé)", "{action}: the ad platforms billed {cost}; the accounts (Actual spend) "
             "hold {actual}: to check (nothing is replaced)")
_OVERLAP = Label("sa période ({period}) recouvre celle de {other}, même source sans date par ligne : les "
                 "chiffres du recouvrement peuvent compter deux fois ; exportez mois par mois",
                 "its period ({period}) overlaps that of {other}, same source without a date per row: the "
                 "overlap may count twice; export month by month")
_NO_ROW_OF_YEAR = Label("aucune ligne de {year} (les dates vont de {first} à {last})",
                        "no row of {year} (dates run from {first} to {last})")


# --- matching -------------------------------------------------------------------------------------------------

def claim_campaigns(campaigns: Iterable[str], actions: Sequence[ActionCode],
                    rules: Sequence[MatchRule] = ()) -> dict[str, tuple[str, str] | None]:
    """Each distinct campaign -> (action id, how) or None (see the module's rules).

    >>> claim_campaigns(["Printemps-2027", "printemps-2027", "Promo été", "x"],
    ...                 [ActionCode("A01", "printemps-2027"), ActionCode("A02", "promo-ete")],
    ...                 [MatchRule("promo*", "A02")])
    {'Printemps-2027': ('A01', 'campaign_code_folded'), 'printemps-2027': ('A01', 'campaign_code'), 'Promo été': ('A02', 'rule'), 'x': None}
    """
    exact = {a.campaign.strip(): a.id for a in actions if a.campaign.strip()}
    folded = {fold(a.campaign): a.id for a in actions if a.campaign.strip()}
    out: dict[str, tuple[str, str] | None] = {}
    for campaign in campaigns:
        text = str(campaign).strip()
        if text in exact:
            out[campaign] = (exact[text], BY_CODE)
        elif text and fold(text) in folded:
            out[campaign] = (folded[fold(text)], BY_FOLDED_CODE)
        else:
            rule = next((r for r in rules if r.applies(text)), None)
            out[campaign] = (rule.action_id, BY_RULE) if rule else None
    return out


def _fingerprints(table: ExportTable) -> np.ndarray:
    frame = table.frame
    cols = ["campaign", "date", *table.metrics, *(["key"] if "key" in frame else [])]
    keyed = frame[cols].copy()
    keyed["campaign"] = keyed["campaign"].astype("category")
    if "key" in keyed:
        keyed["key"] = keyed["key"].astype("category")
    keyed.insert(0, "source", table.source)
    keyed["source"] = keyed["source"].astype("category")
    return pd.util.hash_pandas_object(keyed, index=False, categorize=False).to_numpy()


def match_exports(tables: Sequence[ExportTable], actions: Sequence[ActionCode], *, year: int,
                  as_of: dt.date | None = None, rules: ResultsRules | None = None) -> ResultsResult:
    """Match the rows of *tables* to *actions* and add them up (see the module's rules)."""
    rules = rules or ResultsRules()
    result = ResultsResult(year, as_of, rules, [], {a.id: ActionResults(a.id, a.campaign) for a in actions}, [])
    seen: dict[str, np.ndarray] = {}     # file -> fingerprints of its rows kept
    periods: list[tuple[str, str, tuple[dt.date, dt.date]]] = []
    kpi_frames: list[tuple[str, pd.DataFrame]] = []
    start, end = pd.Timestamp(dt.date(year, 1, 1)), pd.Timestamp(dt.date(year, 12, 31))
    limit = min(end, pd.Timestamp(as_of)) if as_of else end
    for table in tables:
        report = FileReport(table.path, table.source, table.columns, table.currency, table.period, table.lines)
        result.files.append(report)
        result.warnings += table.warnings
        result.currency = result.currency or table.currency
        report.ignored[TOTALS].count = table.skipped_totals
        report.ignored[NOT_SALES].count = table.not_sales
        frame = table.frame
        if "date" not in table.columns and table.period is not None:
            for other, source, period in periods:
                if source == table.source and period[0] <= table.period[1] and table.period[0] <= period[1]:
                    result.warnings.append(FecProblem(0, None, _OVERLAP, {
                        "period": f"{table.period[0]:%d/%m/%Y}-{table.period[1]:%d/%m/%Y}", "other": other},
                        table.path))
            periods.append((table.path, table.source, table.period))
        prints = _fingerprints(table)
        duplicate = np.zeros(len(frame), dtype=bool)
        for other, earlier in seen.items():
            hit = np.isin(prints, earlier)
            if hit.any():
                report.duplicate_of.add(other)
                duplicate |= hit
        seen[table.path] = prints[~duplicate]
        if duplicate.any():
            report.ignored[DUPLICATE].add(frame[duplicate])
            frame = frame[~duplicate]
        other_year = (frame["date"] < start) | (frame["date"] > end)
        if other_year.any():
            report.ignored[OTHER_YEAR].add(frame[other_year])
            if other_year.all() and len(frame):
                result.warnings.append(FecProblem(0, None, _NO_ROW_OF_YEAR, {
                    "year": year, "first": f"{frame['date'].min():%d/%m/%Y}",
                    "last": f"{frame['date'].max():%d/%m/%Y}"}, table.path))
            frame = frame[~other_year]
        late = frame["date"] > limit
        if late.any():
            report.ignored[AFTER_AS_OF].add(frame[late])
            frame = frame[~late]
        kpi_frames.append((table.source, frame))
        campaigns = frame["campaign"].astype("category")
        claims = claim_campaigns([str(c) for c in campaigns.cat.categories], actions, rules.matches)
        owner = np.array([(claim[0] if claim else None) for claim in claims.values()] + [None], dtype=object)
        action_of = pd.Series(owner[campaigns.cat.codes.to_numpy()], index=frame.index)   # code -1: no campaign
        matched = action_of.notna()
        report.matched.add(frame[matched])
        report.unmatched.add(frame[~matched])
        for campaign, claim in claims.items():
            if claim:
                result.actions[claim[0]].matched_by.add(claim[1])
        _add_matched(result, table, frame[matched].assign(action=action_of[matched]))
        _add_unmatched(result, table, frame[~matched])
    _gains(result, rules)
    result.kpi_metrics = _kpi_metrics(kpi_frames)
    return result


def _add_matched(result: ResultsResult, table: ExportTable, frame: pd.DataFrame) -> None:
    if frame.empty:
        return
    metrics = list(table.metrics)
    sums = frame.assign(month=frame["date"].dt.month, action=frame["action"].astype(str)).groupby(
        ["action", "month"], observed=True)[metrics].sum()
    for (action, month), values in sums.iterrows():
        months = result.actions[action].by_source.setdefault(table.source, {})
        for metric in metrics:
            per = months.setdefault(metric, {})
            per[int(month)] = per.get(int(month), 0.0) + float(values[metric])


def _add_unmatched(result: ResultsResult, table: ExportTable, frame: pd.DataFrame) -> None:
    if frame.empty:
        return
    metrics = list(table.metrics)
    grouped = frame.assign(month=frame["date"].dt.year * 100 + frame["date"].dt.month).groupby(["campaign", "month"],
                                                                                              sort=True, observed=True)
    sums = grouped[metrics].sum()
    counts = grouped["line"].agg(["size", "min"])
    for (campaign, month), values in sums.iterrows():
        count, first = counts.loc[(campaign, month)]
        result.unmatched.append(UnmatchedGroup(table.path, table.source, str(campaign),
                                               f"{int(month) // 100}-{int(month) % 100:02d}", int(count),
                                               int(first), {m: float(values[m]) for m in metrics}))


def _gains(result: ResultsResult, rules: ResultsRules) -> None:
    groups = (rules.sources,) if rules.sources else GAIN_PREFERENCE
    for action in result.actions.values():
        for sources in groups:
            present = tuple(s for s in sources if "revenue" in action.by_source.get(s, {}))
            if present:
                months = action.metric("revenue", present)
                action.gain_months = {m: round(rules.gain(v), 2) for m, v in sorted(months.items())}
                action.gain_sources = present
                break


def _kpi_metrics(frames: list[tuple[str, pd.DataFrame]]) -> dict[str, dict[int, float]]:
    """Each KPI source metric by month, over every row of the year (matched or not), from its preferred sources."""
    by_source: dict[str, dict[str, dict[int, float]]] = {}
    for source, frame in frames:
        if frame.empty:
            continue
        metrics = [m for m in METRICS if m in frame]
        sums = frame.groupby(frame["date"].dt.month)[metrics].sum()
        per = by_source.setdefault(source, {})
        for month, values in sums.iterrows():
            for metric in metrics:
                per.setdefault(metric, {})
                per[metric][int(month)] = per[metric].get(int(month), 0.0) + float(values[metric])
    out: dict[str, dict[int, float]] = {}
    for metric, groups in KPI_PREFERENCE.items():
        for sources in groups:
            present = [s for s in sources if metric in by_source.get(s, {})]
            if present:
                months: dict[int, float] = {}
                for s in present:
                    for m, v in by_source[s][metric].items():
                        months[m] = months.get(m, 0.0) + v
                out[metric] = months
                break
    if "cost" in out and "conversions" in out:
        out["cpa"] = {m: out["cost"][m] / c for m, c in out["conversions"].items() if c and m in out["cost"]}
    if "conversions" in out and "sessions" in out:
        out["conversion_rate"] = {m: c / out["sessions"][m] for m, c in out["conversions"].items()
                                  if out["sessions"].get(m)}
    return out


def cost_gaps(result: ResultsResult, actual_spend: dict[str, float | None], lang: str = "fr") -> list[FecProblem]:
    """A warning for each action the platforms billed more than its actual spend in the accounts (by more than 1):
    an invoice not booked yet, or a campaign code on the wrong action. Less is usual: the accounts also hold the
    agency fees and the creative work."""
    gaps = []
    for action in result.actions.values():
        cost = action.platform_cost
        actual = actual_spend.get(action.id)
        if cost is None or actual is None:
            continue
        if cost - actual > GAP_TOLERANCE:   # billed beyond what the accounts hold: an invoice missing?
            gaps.append(FecProblem(0, None, _GAP, {"action": action.id, "cost": result.money(cost, lang),
                                                   "actual": result.money(actual, lang)}))
    return gaps
