"""The live status block of the Guide sheet: its formulas and the same figures in Python.

Each figure is declared once with its label, its Excel formula (derived from
the schema: required columns, references) and its Python computation, so the
test that lets LibreOffice recalculate the workbook can compare the two.

Domain core: no Excel library is imported here.

Example:
    >>> [item.key for item in STATUS_ITEMS][:3]
    ['objectives', 'objectives_smart_ok', 'missing_required']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from . import schema
from .computed import structured_ref
from .plan import id_key
from .schema import Kind, Sheet
from .vocabulary import Label

Tables = Mapping[str, list[Mapping[str, Any]]]


def _blank(value: Any) -> bool:
    return value is None or value == ""


def _used_rows(sheet: Sheet, tables: Tables) -> list[Mapping[str, Any]]:
    """Rows the status block counts: those with an id (same rule as the formulas)."""
    return [r for r in tables.get(sheet.key, []) if not _blank(r.get(sheet.id_column))]


def _col(sheet: Sheet, key: str, lang: str) -> str:
    return structured_ref(sheet, key, lang, this_row=False)


# --- formulas -----------------------------------------------------------------

def _objectives_formula(lang: str) -> str:
    return f'SUMPRODUCT(--({_col(schema.OBJECTIVES, "id", lang)}<>""))'


def _smart_ok_formula(lang: str) -> str:
    return f'COUNTIF({_col(schema.OBJECTIVES, "smart", lang)},"OK")'


def _missing_required_formula(lang: str) -> str:
    terms = [f'SUMPRODUCT(({_col(s, s.id_column, lang)}<>"")*({_col(s, c.key, lang)}=""))'
             for s in schema.ID_TABLES for c in s.input_columns if c.required and c.key != s.id_column]
    return "+".join(terms)


def _unresolved_formula(lang: str) -> str:
    terms = []
    for s in schema.ID_TABLES:
        for c in s.references:
            target = schema.SHEETS_BY_KEY[c.ref]
            ref = _col(s, c.key, lang)
            terms.append(f'SUMPRODUCT(({ref}<>"")*(COUNTIF({_col(target, target.id_column, lang)},{ref})=0))')
    return "+".join(terms)


def _planned_formula(lang: str) -> str:
    return f'SUM({_col(schema.BUDGET, "planned", lang)})'


def _actual_formula(lang: str) -> str:
    return f'SUM({_col(schema.BUDGET, "actual", lang)})'


def _remaining_formula(lang: str) -> str:
    return f'IF({schema.NAME_ENVELOPE}="","",{schema.NAME_ENVELOPE}-{_planned_formula(lang)})'


def _errors_formula(lang: str) -> str:
    return (f"({_objectives_formula(lang)}-{_smart_ok_formula(lang)})+{_missing_required_formula(lang)}"
            f"+{_unresolved_formula(lang)}"
            f'+IF(AND(ISNUMBER({schema.NAME_ENVELOPE}),{_planned_formula(lang)}>{schema.NAME_ENVELOPE}),1,0)')


# --- the same figures in Python ---------------------------------------------------

def _number(value: Any) -> float:
    """SUM ignores text and blanks."""
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


def _objectives(tables: Tables, smart_texts: Mapping[str, Any], envelope: Any) -> float:
    return float(len(_used_rows(schema.OBJECTIVES, tables)))


def _smart_ok(tables: Tables, smart_texts: Mapping[str, Any], envelope: Any) -> float:
    return float(sum(1 for text in smart_texts.values() if text == "OK"))


def _missing_required(tables: Tables, smart_texts: Mapping[str, Any], envelope: Any) -> float:
    return float(sum(1 for s in schema.ID_TABLES for row in _used_rows(s, tables)
                     for c in s.input_columns if c.required and c.key != s.id_column and _blank(row.get(c.key))))



def _unresolved(tables: Tables, smart_texts: Mapping[str, Any], envelope: Any) -> float:
    count = 0
    for s in schema.ID_TABLES:
        for c in s.references:
            target = schema.SHEETS_BY_KEY[c.ref]
            ids = {id_key(r.get(target.id_column)) for r in tables.get(target.key, [])
                   if not _blank(r.get(target.id_column))}
            count += sum(1 for r in tables.get(s.key, []) if not _blank(r.get(c.key)) and id_key(r[c.key]) not in ids)
    return float(count)


def _planned(tables: Tables, smart_texts: Mapping[str, Any], envelope: Any) -> float:
    return sum(_number(r.get("planned")) for r in tables.get("budget", []))


def _actual(tables: Tables, smart_texts: Mapping[str, Any], envelope: Any) -> float:
    return sum(_number(r.get("actual")) for r in tables.get("budget", []))


def _remaining(tables: Tables, smart_texts: Mapping[str, Any], envelope: Any) -> Any:
    return None if _blank(envelope) else _number(envelope) - _planned(tables, smart_texts, envelope)


def _errors(tables: Tables, smart_texts: Mapping[str, Any], envelope: Any) -> float:
    args = (tables, smart_texts, envelope)
    over = isinstance(envelope, (int, float)) and _planned(*args) > envelope
    return (_objectives(*args) - _smart_ok(*args) + _missing_required(*args) + _unresolved(*args) + (1 if over else 0))


@dataclass(frozen=True)
class StatusItem:
    key: str
    label: Label
    kind: Kind
    formula: Callable[[str], str]
    compute: Callable[[Tables, Mapping[str, Any], Any], Any]


STATUS_ITEMS: tuple[StatusItem, ...] = (
    StatusItem("objectives", Label("Objectifs saisis", "Objectives entered"), Kind.INTEGER, _objectives_formula, _objectives),
    StatusItem("objectives_smart_ok", Label("Objectifs SMART-OK", "Objectives SMART-OK"), Kind.INTEGER, _smart_ok_formula, _smart_ok),
    StatusItem("missing_required", Label("Champs obligatoires manquants", "Required fields missing"), Kind.INTEGER,
               _missing_required_formula, _missing_required),
    StatusItem("unresolved_references", Label("Références introuvables", "Unresolved references"), Kind.INTEGER,
               _unresolved_formula, _unresolved),
    StatusItem("budget_planned", Label("Budget prévisionnel total", "Total planned budget"), Kind.MONEY, _planned_formula, _planned),
    StatusItem("budget_remaining", Label("Reste sur l'enveloppe", "Left in the envelope"), Kind.MONEY, _remaining_formula, _remaining),
    StatusItem("budget_actual", Label("Dépenses réelles", "Actual spend"), Kind.MONEY, _actual_formula, _actual),
    StatusItem("errors_left", Label("Erreurs restantes", "Errors left"), Kind.INTEGER, _errors_formula, _errors),
)


def status_values(tables: Tables, smart_texts: Mapping[str, Any], envelope: Any) -> dict[str, Any]:
    """Every status figure computed in Python; ``smart_texts`` maps objective ids to their SMART text."""
    return {item.key: item.compute(tables, smart_texts, envelope) for item in STATUS_ITEMS}
