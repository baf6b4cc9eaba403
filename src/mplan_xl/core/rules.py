"""The catalogue of validation rules: a stable code, a severity, a localised message and a hint.

Every finding of ``mplan-xl check`` is made from one rule here; ``docs/rules.md``
is generated from this catalogue. Codes are kebab-case and never change
meaning once published (the JSON report is a stable interface).

Domain core: no Excel library is imported here.

Example:
    >>> RULES["reference-unresolved"].severity
    'error'
    >>> make_finding("reference-unresolved", "en", sheet="Actions", cell="B7", row_id="A04",
    ...              column="Objective ID", value="O9", target="Objectives", count=2, cells="B7:B8").message
    "Objective ID 'O9' matches no row of the 'Objectives' sheet (2 row(s): B7:B8)."
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from .vocabulary import Label

ERROR, WARNING = "error", "warning"

CATEGORIES = {
    "readability": Label("Lecture du fichier", "Reading the file"),
    "template": Label("Modèle", "Template"),
    "cells": Label("Cellules", "Cells"),
    "integrity": Label("Intégrité", "Integrity"),
    "logic": Label("Logique du plan", "Plan logic"),
    "approval": Label("Depuis la version approuvée", "Since the approved version"),
}


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    category: str
    title: Label
    message: Label      # formatted with the finding's parameters
    hint: Label | None = None
    #: The workbook's own formulas see this problem: the Guide's live status counts it
    #: (:mod:`mplan_xl.workbook.guide_status`), in its category, as ``check`` does.
    live: bool = False


@dataclass(frozen=True)
class Finding:
    """One problem, located: the shape of a finding in every report format."""

    code: str
    severity: str
    sheet: str | None
    cell: str | None
    row_id: str | None
    message: str
    hint: str | None
    #: The data the message was made from (column, value, expected, ...), as JSON values, beside the rendered text.
    params: dict[str, Any] = field(default_factory=dict, compare=False)
    #: ``mplan-xl repair`` restores what this finding is about (:data:`REPAIRABLE`), every typed value kept.
    repairable: bool = field(default=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "severity": self.severity, "sheet": self.sheet, "cell": self.cell,
                "row_id": self.row_id, "message": self.message, "hint": self.hint, "params": self.params,
                "repairable": self.repairable}


def plain_params(params: dict[str, Any]) -> dict[str, Any]:
    """A finding's parameters as JSON values: numbers, text, booleans and None as they are, dates in ISO
    format, anything else as its text.

    >>> plain_params({"value": 12.5, "start": dt.date(2027, 3, 1), "column": "Owner", "limit": None})
    {'value': 12.5, 'start': '2027-03-01', 'column': 'Owner', 'limit': None}
    """
    out: dict[str, Any] = {}
    for key, value in params.items():
        if value is None or isinstance(value, (bool, int, float, str)):
            out[key] = value
        elif isinstance(value, (dt.date, dt.datetime)):
            out[key] = value.isoformat()
        else:
            out[key] = str(value)
    return out


def _rule(code: str, severity: str, category: str, title: tuple[str, str], message: tuple[str, str],
          hint: tuple[str, str] | None = None, live: bool = False) -> Rule:
    return Rule(code, severity, category, Label(*title), Label(*message), Label(*hint) if hint else None, live)


_CATALOGUE: tuple[Rule, ...] = (
    # --- readability (the reader's refusals, READ_ERRORS, are added below) ------------------------
    _rule("check-timeout", ERROR, "readability", ("Délai dépassé", "Time limit exceeded"),
          ("La lecture a dépassé {seconds} s et a été interrompue.", "Reading took more than {seconds} s and was stopped."),
          ("Vérifiez la taille et le contenu du fichier.", "Check the file's size and content.")),
    _rule("internal-error", ERROR, "readability", ("Erreur interne", "Internal error"),
          ("mplan-xl a rencontré une erreur interne en contrôlant ce fichier ({detail}) : le fichier n'est pas en cause.",
           "mplan-xl met an internal error while checking this file ({detail}): the file is not at fault."),
          ("Signalez-le aux mainteneurs de mplan-xl avec le fichier et la sortie de « mplan-xl --version ».",
           "Report it to the mplan-xl maintainers with the file and the output of 'mplan-xl --version'.")),
    _rule("number-unusable", ERROR, "readability", ("Nombre inutilisable", "Unusable number"),
          ("La cellule contient « {value} », qui n'est pas un nombre qu'Excel peut tenir (pas un nombre, infini, ou "
           "au-delà de ±9,99999999999999E+307) : Excel refuse d'ouvrir le fichier, aucun calcul ne le compte.",
           "The cell holds '{value}', which is no number Excel can hold (not a number, infinite, or beyond "
           "±9.99999999999999E+307): Excel refuses to open the file, no figure counts it."),
          ("Ressaisissez le nombre ; s'il vient d'un autre outil, exportez-le à nouveau.",
           "Type the number again; if it came from another tool, export it again.")),
    _rule("text-too-long", ERROR, "readability", ("Texte trop long", "Text too long"),
          ("La cellule contient un texte de {length} caractères (« {value} ») : Excel en tient au plus {limit}.",
           "The cell holds a text of {length} characters ('{value}'): Excel holds at most {limit}."),
          ("Raccourcissez le texte (un lien vers un document pour une note longue).",
           "Shorten the text (a link to a document for a long note).")),
    _rule("text-control-characters", WARNING, "cells", ("Caractères de contrôle", "Control characters"),
          ("Le texte de la cellule contient {count} caractère(s) de contrôle ({characters}) : ils sont laissés "
           "de côté dans ce que mplan-xl lit, écrit et affiche.",
           "The cell's text holds {count} control character(s) ({characters}): they are left out of what "
           "mplan-xl reads, writes and shows."),
          ("Ressaisissez le texte ; ces caractères invisibles viennent souvent d'un copier-coller depuis un autre "
           "outil.", "Type the text again; these invisible characters often come from a copy-paste out of another "
           "tool.")),
    # --- template ------------------------------------------------------------------------------------
    _rule("not-mplan-workbook", ERROR, "template", ("Pas un plan mplan-xl", "Not an mplan-xl plan"),
          ("Ce classeur n'a pas été créé à partir du modèle mplan-xl.", "This workbook was not made from the mplan-xl template."),
          ("Générez un modèle avec « mplan-xl new » et recopiez-y le plan.", "Generate a template with 'mplan-xl new' and copy the plan into it.")),
    _rule("template-version-incompatible", ERROR, "template", ("Version de modèle incompatible", "Incompatible template version"),
          ("Version de modèle {found} : cet outil lit les versions {supported}.", "Template version {found}: this tool reads versions {supported}."),
          ("Mettez à jour mplan-xl ou repartez du modèle actuel.", "Update mplan-xl or start again from the current template.")),
    _rule("template-version-old", WARNING, "template", ("Ancienne version du modèle", "Older template version"),
          ("Classeur fait avec le modèle {found} ; le modèle actuel est le {current}. Il est contrôlé tel qu'il est "
           "(ce que les versions suivantes ont ajouté ne lui est pas demandé). Pour le passer au modèle actuel, "
           "chaque valeur reprise : {command}",
           "Workbook made with template {found}; the current template is {current}. It is checked as it is (what "
           "later versions added is not asked of it). To move it into the current template, every value kept: "
           "{command}"),
          ("La commande écrit un nouveau classeur et liste ce qu'elle n'a pas pu reprendre (feuilles et colonnes "
           "ajoutées par l'équipe, mise en forme, notes) ; le fichier d'origine n'est pas modifié.",
           "The command writes a new workbook and lists what it could not carry (the team's own sheets and "
           "columns, formatting, notes); the original file is not changed.")),
    _rule("sheet-missing", ERROR, "template", ("Feuille manquante", "Missing sheet"),
          ("La feuille « {sheet} » est absente ou a été renommée.", "The '{sheet}' sheet is missing or was renamed."),
          ("Rétablissez la feuille avec son nom d'origine.", "Restore the sheet with its original name.")),
    _rule("table-missing", ERROR, "template", ("Tableau manquant", "Missing table"),
          ("Le tableau {name} de la feuille « {sheet} » est absent (supprimé ou converti en plage).",
           "Table {name} of the '{sheet}' sheet is missing (deleted or converted to a range)."),
          ("Repartez du modèle et recopiez les lignes.", "Start from the template again and copy the rows over.")),
    _rule("header-mismatch", ERROR, "template", ("En-tête modifié", "Header changed"),
          ("Colonne {position} : en-tête « {found} » au lieu de « {expected} ».", "Column {position}: header '{found}' instead of '{expected}'."),
          ("Rétablissez l'en-tête d'origine.", "Restore the original header.")),
    _rule("column-missing", ERROR, "template", ("Colonne manquante", "Missing column"),
          ("La colonne « {column} » du tableau {table_name} est absente (supprimée ou renommée).",
           "Column '{column}' of table {table_name} is missing (deleted or renamed)."),
          ("Rétablissez la colonne avec son en-tête d'origine.", "Restore the column with its original header.")),
    _rule("column-unknown", WARNING, "template", ("Colonne ajoutée", "Column added"),
          ("La colonne « {column} » ne fait pas partie du modèle : mplan-xl ne la lit pas.",
           "Column '{column}' is not part of the template: mplan-xl does not read it."),
          ("Rien à faire si c'est voulu (notes de l'équipe) ; le reste du tableau est contrôlé normalement.",
           "Nothing to do if it is on purpose (the team's notes); the rest of the table is checked as usual.")),
    _rule("likely-duplicate", WARNING, "integrity", ("Copie probable d'un autre fichier", "Likely copy of another file"),
          ("Nommé comme une copie de conflit (OneDrive, SharePoint) de {other}, et même plan (même entreprise, "
           "année {year}).",
           "Named like a conflict copy (OneDrive, SharePoint) of {other}, and the same plan (same company, "
           "year {year})."),
          ("Gardez une seule version (comparez-les avec mplan-xl diff) et supprimez l'autre du dossier.",
           "Keep one version (compare them with mplan-xl diff) and remove the other from the folder.")),
    # --- cells ------------------------------------------------------------------------------------------
    _rule("plan-empty", WARNING, "logic", ("Plan vide", "Empty plan"),
          ("Le plan ne contient encore ni objectif, ni action, ni ligne de budget.",
           "The plan holds no objective, action or budget line yet."),
          ("Remplissez le plan en suivant la feuille « Accueil ».", "Fill in the plan following the 'Guide' sheet.")),
    _rule("company-missing", ERROR, "cells", ("Entreprise non renseignée", "Company not given"),
          ("Le nom de l'entreprise (l'équipe) est vide sur la feuille {sheet} : le plan ne peut pas être consolidé "
           "sous son nom.",
           "The company (team) name is blank on the {sheet} sheet: the plan cannot be consolidated under its name."),
          ("Saisissez le nom de l'entreprise dans la cellule, le même à chaque version du plan.",
           "Type the company's name into the cell, the same in every version of the plan."), live=True),
    _rule("required-missing", ERROR, "cells", ("Champ obligatoire vide", "Required field empty"),
          ("« {column} » est obligatoire.", "'{column}' is required."),
          ("Complétez la cellule.", "Fill in the cell."), live=True),
    _rule("type-invalid", ERROR, "cells", ("Type incorrect", "Wrong type"),
          ("« {column} » attend {expected} ; trouvé : {value!r}.", "'{column}' expects {expected}; found: {value!r}."),
          ("Saisissez une valeur du bon type.", "Enter a value of the right type."), live=True),
    _rule("number-as-text", ERROR, "cells", ("Nombre saisi comme texte", "Number typed as text"),
          ("« {column} » contient le texte {value!r}, probablement le nombre {number} : Excel ne le compte pas.",
           "'{column}' holds the text {value!r}, probably the number {number}: Excel does not count it."),
          ("Retapez le nombre sans espace ni symbole, ou convertissez la cellule en nombre.",
           "Retype the number without spaces or symbols, or convert the cell to a number."), live=True),
    _rule("choice-invalid", ERROR, "cells", ("Valeur hors liste", "Value not in the list"),
          ("« {column} » : {value!r} n'est pas dans la liste ({choices}).", "'{column}': {value!r} is not in the list ({choices})."),
          ("Choisissez une valeur dans la liste déroulante.", "Pick a value from the dropdown list."), live=True),
    _rule("date-outside-year", ERROR, "cells", ("Date hors de l'année", "Date outside the year"),
          ("« {column} » : {value} n'est pas dans l'année du plan {year}.", "'{column}': {value} is not within the plan year {year}."),
          ("Indiquez une date de l'année du plan.", "Enter a date within the plan year."), live=True),
    _rule("date-order", ERROR, "cells", ("Dates inversées", "Dates in the wrong order"),
          ("La fin ({end}) précède le début ({start}).", "The end ({end}) comes before the start ({start})."),
          ("Corrigez le début ou la fin.", "Fix the start or the end."), live=True),
    _rule("value-out-of-range", ERROR, "cells", ("Valeur hors bornes", "Value out of range"),
          ("« {column} » : {value} est hors de [{low} ; {high}].", "'{column}': {value} is outside [{low}, {high}]."),
          ("Saisissez une valeur dans les bornes.", "Enter a value within the bounds."), live=True),
    _rule("negative-amount", ERROR, "cells", ("Montant négatif", "Negative amount"),
          ("« {column} » : le montant {value} est négatif.", "'{column}': the amount {value} is negative."),
          ("Saisissez un montant positif ou nul.", "Enter an amount of zero or more."), live=True),
    _rule("row-outside-table", ERROR, "cells", ("Ligne hors du tableau", "Row outside the table"),
          ("La ligne {line} ({cells}) ressemble à une ligne du tableau {table_name}, mais se trouve sous lui : elle n'est "
           "comptée nulle part.", "Row {line} ({cells}) looks like a row of table {table_name} but sits below it: "
           "nothing counts it."),
          ("Insérez une ligne dans le tableau (clic droit sur une ligne du tableau > Insérer) et déplacez-y ces "
           "valeurs, ou effacez-les.", "Insert a row inside the table (right-click a row of the table > Insert) "
           "and move these values into it, or clear them."), live=True),
    _rule("value-outside-table", WARNING, "cells", ("Valeurs hors des tableaux", "Values outside the tables"),
          ("{count} valeur(s) hors des tableaux sur cette feuille ({cells}) : mplan-xl ne les lit pas.",
           "{count} value(s) outside the tables on this sheet ({cells}): mplan-xl does not read them."),
          ("Déplacez-les dans une ligne du tableau, ou effacez-les (les notes ont leur place dans une colonne ajoutée "
           "au tableau).", "Move them into a row of the table, or clear them (notes belong in a column added to the "
           "table).")),
    # --- integrity -----------------------------------------------------------------------------------
    _rule("computed-overwritten", ERROR, "integrity", ("Cellule calculée écrasée", "Computed cell overwritten"),
          ("« {column} » est calculée, mais {count} cellule(s) contiennent une valeur saisie au lieu de la formule : {cells} (ex. {value}).",
           "'{column}' is computed, but {count} cell(s) hold a typed value instead of the formula: {cells} (e.g. {value})."),
          ("Recopiez la formule de la ligne du dessus dans ces cellules.", "Copy the formula from the row above into these cells."),
          live=True),
    _rule("formula-missing", ERROR, "integrity", ("Formule absente", "Formula missing"),
          ("{count} cellule(s) calculée(s) de {table_name} n'ont pas leur formule : {cells} ; colonnes : {columns}.",
           "{count} computed cell(s) of {table_name} lack their formula: {cells}; columns: {columns}."),
          ("Les formules sont absentes (une ligne insérée dans LibreOffice n'en reçoit pas) : recopiez-les depuis "
           "la ligne du dessus.",
           "The formulas are missing (a row inserted in LibreOffice gets none); copy them from the row above."),
          live=True),
    _rule("formula-altered", ERROR, "integrity", ("Formule modifiée", "Formula altered"),
          ("La formule de « {column} » a été modifiée dans {count} cellule(s) : {cells} ; par exemple ={found}",
           "The formula of '{column}' was altered in {count} cell(s): {cells}; for example ={found}"),
          ("Recopiez la formule d'origine depuis une ligne dont la formule est intacte (ou depuis le modèle).",
           "Copy the original formula back from a row whose formula is intact (or from the template).")),
    _rule("formula-as-cell-references", WARNING, "integrity", ("Formule en références de cellules", "Formula as cell references"),
          ("{count} cellule(s) ({cells}) de {table_name} font le bon calcul, mais avec des adresses de cellules "
           "au lieu des noms de colonnes (enregistrement en .ods ?), colonnes : {columns} ; par exemple ={found}",
           "{count} cell(s) ({cells}) of {table_name} compute the right thing, but written with cell addresses "
           "instead of column names (saved as .ods?), columns: {columns}; for example ={found}"),
          ("Les valeurs sont justes ; des plages fixes ne suivent plus les lignes ajoutées sous le tableau. "
           "Enregistrez le classeur au format .xlsx, ou repartez du modèle.",
           "The values are right; fixed ranges no longer follow rows added below the table. Save the workbook "
           "as .xlsx, or start again from the template.")),
    _rule("table-formulas-lost", WARNING, "integrity", ("Colonnes calculées perdues", "Calculated columns lost"),
          ("{count} tableau(x) ne portent plus la définition de leurs colonnes calculées, perdue à un enregistrement "
           "par LibreOffice : {tables}. Les valeurs restent justes.",
           "{count} table(s) no longer carry the definition of their calculated columns, lost when LibreOffice "
           "saved the file: {tables}. The values are still right."),
          ("Excel ne remplira plus seul les formules des nouvelles lignes de ces tableaux : après une insertion, "
           "recopiez-les depuis la ligne du dessus (mplan-xl check signale toute formule absente).",
           "Excel will no longer fill in the formulas of new rows of these tables by itself: after inserting a row, "
           "copy them from the row above (mplan-xl check reports any missing formula).")),
    _rule("format-scaled", WARNING, "integrity", ("Chiffres affichés divisés par 1000", "Figures shown divided by 1000"),
          ("{count} cellule(s) des tableaux ({cells}) et {conditional} mise(s) en forme conditionnelle(s) affichent "
           "leurs chiffres divisés par 1000 : leurs formats de nombre ({format}) ont été abîmés par un enregistrement dans "
           "LibreOffice en français. Les valeurs sont justes. Pour rétablir les formats du modèle, chaque valeur "
           "reprise : {command}",
           "{count} cell(s) of the tables ({cells}) and {conditional} conditional format(s) show their figures "
           "divided by 1000: their number formats ({format}) were damaged by a save in LibreOffice in French. The "
           "values are right. To restore the template's formats, every value kept: {command}"),
          ("Un format dont les chiffres finissent par un séparateur de milliers avant l'unité (« ,€ », « ,% ») "
           "divise l'affichage par 1000, dans Excel comme dans LibreOffice ; un classeur fait avec cette version "
           "de mplan-xl n'a plus ce défaut.",
           "A format whose digits end in a thousands separator before the unit (',€', ',%') divides what is "
           "shown by 1000, in Excel as in LibreOffice; a workbook made with this version of mplan-xl no longer "
           "has the defect.")),
    _rule("cached-value-mismatch", WARNING, "integrity", ("Résultat non recalculé", "Result not recalculated"),
          ("{count} résultat(s) de {table_name} ({cells}) ne sont pas ceux du calcul, colonnes : {columns} ; "
           "par exemple « {column} » affiche {cached!r} au lieu de {expected!r}.",
           "{count} result(s) of {table_name} ({cells}) are not what the computation gives, columns: {columns}; "
           "for example '{column}' shows {cached!r} instead of {expected!r}."),
          ("Ouvrez le fichier dans Excel, recalculez (Ctrl+Alt+F9) et enregistrez (LibreOffice ne calcule pas les "
           "fonctions MPLAN_ d'un .xlsm : utilisez-y le .xlsx).",
           "Open the file in Excel, recalculate (Ctrl+Alt+F9) and save (LibreOffice cannot compute the MPLAN_ "
           "functions of an .xlsm: use the .xlsx there).")),
    _rule("foreign-macros", ERROR, "integrity", ("Macros inconnues", "Unknown macros"),
          ("Le classeur contient des macros qui ne viennent pas de mplan-xl : {modules}.",
           "The workbook holds macros that do not come from mplan-xl: {modules}."),
          ("N'activez pas les macros ; demandez une version sans ces modules.", "Do not enable macros; ask for a copy without these modules.")),
    _rule("external-link", WARNING, "integrity", ("Lien externe", "External link"),
          ("Le classeur dépend d'un autre fichier : {target}.", "The workbook depends on another file: {target}."),
          ("Remplacez les liens par des valeurs (Données > Modifier les liens > Rompre).",
           "Replace links by values (Data > Edit Links > Break Link).")),
    # --- plan logic -----------------------------------------------------------------------------------
    _rule("duplicate-id", ERROR, "logic", ("Identifiant en double", "Duplicate id"),
          ("L'ID {value!r} est déjà utilisé en ligne {first}.", "Id {value!r} is already used on row {first}."),
          ("Donnez un identifiant unique à chaque ligne.", "Give each row a unique id."), live=True),
    _rule("campaign-duplicate", ERROR, "logic", ("Code campagne en double", "Duplicate campaign code"),
          ("Le code campagne {value!r} est déjà celui de la ligne {first} : les résultats importés ne sauraient "
           "à quelle action aller.",
           "Campaign code {value!r} is already used on row {first}: imported results could not tell which "
           "action they belong to."),
          ("Donnez à chaque action son propre code (la valeur utm_campaign de ses liens et de ses campagnes).",
           "Give each action its own code (the utm_campaign value of its links and campaigns)."), live=True),
    _rule("reference-unresolved", ERROR, "logic", ("Référence introuvable", "Unresolved reference"),
          ("{column} {value!r} ne correspond à aucune ligne de la feuille « {target} » ({count} ligne(s) : {cells}).",
           "{column} {value!r} matches no row of the '{target}' sheet ({count} row(s): {cells})."),
          ("Corrigez l'ID ou créez la ligne manquante.", "Fix the id or create the missing row."), live=True),
    _rule("reference-cycle", ERROR, "logic", ("Cycle d'objectifs", "Objective cycle"),
          ("Les objectifs parents forment une boucle : {cycle}.", "Parent objectives form a loop: {cycle}."),
          ("Un objectif ne peut pas descendre de lui-même : corrigez « Objectif parent ».",
           "An objective cannot descend from itself: fix 'Parent objective'.")),
    _rule("objective-not-smart", ERROR, "logic", ("Objectif non SMART", "Objective not SMART"),
          ("Objectif non SMART : {detail}", "Objective not SMART: {detail}"),
          ("Chiffrez, datez et attribuez l'objectif ; voir la colonne « Contrôle SMART ».",
           "Give the objective a figure, a date and an owner; see the 'SMART check' column."), live=True),
    _rule("objective-without-action", WARNING, "logic", ("Objectif sans action", "Objective without action"),
          ("Aucune action n'est rattachée à cet objectif.", "No action is linked to this objective."),
          ("Ajoutez au moins une action sur la feuille Actions.", "Add at least one action on the Actions sheet.")),
    _rule("objective-without-kpi", WARNING, "logic", ("Objectif sans KPI", "Objective without KPI"),
          ("Aucun KPI ne mesure cet objectif.", "No KPI measures this objective."),
          ("Ajoutez au moins un indicateur sur la feuille KPI.", "Add at least one indicator on the KPI sheet.")),
    _rule("budget-over-envelope", ERROR, "logic", ("Budget au-delà de l'enveloppe", "Budget over the envelope"),
          ("Le prévisionnel total ({planned}) dépasse l'enveloppe ({envelope}).",
           "Total planned ({planned}) exceeds the envelope ({envelope})."),
          ("Réduisez des lignes ou faites relever l'enveloppe.", "Cut some lines or have the envelope raised."), live=True),
    _rule("budget-actual-over-plan", WARNING, "logic", ("Dépassement de budget", "Spend over plan"),
          ("Le réel ({actual}) dépasse le prévisionnel ({planned}) de {excess}.",
           "Actual ({actual}) exceeds planned ({planned}) by {excess}."),
          ("Expliquez le dépassement ou révisez le prévisionnel.", "Explain the overrun or revise the plan.")),
    _rule("budget-landing-over-plan", WARNING, "logic", ("Atterrissage au-delà du prévu", "Landing above plan"),
          ("La ligne atterrit à {landing} ({basis}) pour {planned} prévus : {excess} de plus.",
           "The line lands at {landing} ({basis}) against {planned} planned: {excess} more."),
          ("Réduisez l'engagé ou la réestimation, ou faites approuver un virement depuis une autre ligne (feuille "
           "Virements).", "Cut the commitment or the re-forecast, or have a transfer from another line approved "
           "(Transfers sheet).")),
    _rule("months-disagree", ERROR, "logic", ("Mois et année en désaccord", "Months and year disagree"),
          ("Les mois « {series} » de la ligne {line} totalisent {months} ; la ligne indique {year} sur la feuille Budget.",
           "The '{series}' months of line {line} add up to {months}; the line says {year} on the Budget sheet."),
          ("Corrigez les mois ou le montant annuel : les deux doivent être égaux.",
           "Fix the months or the yearly amount: the two must be equal.")),
    _rule("results-months-disagree", ERROR, "logic", ("Résultats mensuels et gain obtenu en désaccord",
                                                      "Monthly results and achieved gain disagree"),
          ("Les mois de l'action {action} totalisent {months} ; son gain obtenu vaut {year} sur la feuille Actions.",
           "The months of action {action} add up to {months}; its achieved gain is {year} on the Actions sheet."),
          ("Corrigez les mois ou le gain obtenu : les deux doivent être égaux.",
           "Fix the months or the achieved gain: the two must be equal.")),
    _rule("months-row-duplicate", ERROR, "logic", ("Ligne mensuelle en double", "Monthly row twice"),
          ("{ref} a déjà une ligne « {series} » (ligne {first}) : les deux s'additionnent.",
           "{ref} already has a '{series}' row (row {first}): the two add up."),
          ("Regroupez les mois sur une seule ligne.", "Put the months on one row.")),
    _rule("months-after-situation", WARNING, "logic", ("Mois après la date de situation", "Months after the situation date"),
          ("{count} valeur(s) « {series} » sont saisies après {situation}, la date de situation : elles ne comptent pas à date ({cells}).",
           "{count} '{series}' value(s) are typed after {situation}, the situation date: they do not count to date ({cells})."),
          ("Avancez la date de situation sur l'Accueil, ou déplacez ces valeurs.",
           "Move the situation date on the Guide forward, or move these values.")),
    _rule("percent-scale", WARNING, "logic", ("Pourcentage 100 fois trop grand ou trop petit", "Percentage 100 times off"),
          ("« {column} » vaut {value} dans une ligne en % où {others} : environ 100 fois {direction}. La cellule "
           "tient la fraction (0,15 pour 15 %) : {value} se lit {shown}.",
           "'{column}' holds {value} in a % row where {others}: about 100 times {direction}. The cell holds the "
           "fraction (0.15 for 15%): {value} reads as {shown}."),
          ("Tapez le pourcentage avec son signe (15 %) ou en fraction (0,15), comme les autres valeurs de la ligne.",
           "Type the percentage with its sign (15%) or as a fraction (0.15), as the other values of the row.")),
    # --- since the approved version (check --against) ------------------------------------------------
    _rule("plan-increased", ERROR, "approval", ("Budget en hausse", "Budget increased"),
          ("Le prévisionnel total est passé de {old} à {new} depuis la version approuvée ({delta}) ; lignes en "
           "hausse : {lines}.",
           "Total planned went from {old} to {new} since the approved version ({delta}); lines up: {lines}."),
          ("Une hausse doit être approuvée : faites approuver cette version (mplan-xl approve), ou reprenez la somme "
           "sur d'autres lignes (un virement, noté sur la feuille Virements).",
           "An increase needs approval: have this version approved (mplan-xl approve), or take the amount from "
           "other lines (a transfer, recorded on the Transfers sheet).")),
    _rule("plan-decreased", WARNING, "approval", ("Budget en baisse", "Budget decreased"),
          ("Le prévisionnel total est passé de {old} à {new} depuis la version approuvée ({delta}) ; lignes en "
           "baisse : {lines}.",
           "Total planned went from {old} to {new} since the approved version ({delta}); lines down: {lines}."),
          ("Rien à faire si l'économie est voulue ; elle libère {released} sur l'enveloppe.",
           "Nothing to do if the saving is meant; it frees {released} in the envelope.")),
    _rule("envelope-changed", ERROR, "approval", ("Enveloppe modifiée", "Envelope changed"),
          ("L'enveloppe est passée de {old} à {new} depuis la version approuvée.",
           "The envelope went from {old} to {new} since the approved version."),
          ("L'enveloppe est celle que le groupe a approuvée : rétablissez-la, ou faites approuver la nouvelle.",
           "The envelope is the one the group approved: restore it, or have the new one approved.")),
    _rule("transfer-unrecorded", WARNING, "approval", ("Virement non noté", "Transfer not recorded"),
          ("La ligne a reçu {amount} depuis la version approuvée, pris sur {sources}, sans virement noté sur la "
           "feuille Virements (le total du plan n'a pas changé).",
           "The line received {amount} since the approved version, taken from {sources}, with no transfer recorded "
           "on the Transfers sheet (the plan's total is unchanged)."),
          ("Notez le virement sur la feuille Virements : de quelle ligne, vers laquelle, combien, quand et pourquoi.",
           "Record the transfer on the Transfers sheet: from which line, to which, how much, when and why.")),
    _rule("transfer-over-threshold", ERROR, "approval", ("Virement au-delà du seuil", "Transfer over the threshold"),
          ("La ligne a reçu {amount} depuis la version approuvée, pris sur {sources} ({recorded}) : au-delà du "
           "seuil de {threshold} fixé par le groupe.",
           "The line received {amount} since the approved version, taken from {sources} ({recorded}): over the "
           "threshold of {threshold} the group set."),
          ("Un virement de cette taille doit être approuvé comme une hausse : faites approuver cette version.",
           "A transfer this large needs approval, as an increase does: have this version approved.")),
    _rule("action-added", WARNING, "approval", ("Action nouvelle", "New action"),
          ("L'action « {title} » n'était pas dans la version approuvée (budget {budget}).",
           "Action '{title}' was not in the approved version (budget {budget})."),
          ("Vérifiez qu'elle est financée par un virement ou une hausse approuvée.",
           "Check that it is funded by a transfer or an approved increase.")),
    _rule("action-dropped", WARNING, "approval", ("Action abandonnée", "Action dropped"),
          ("L'action {id} « {title} » de la version approuvée n'est plus dans le plan (budget approuvé {budget}).",
           "Action {id} '{title}' of the approved version is no longer in the plan (approved budget {budget})."),
          ("Rien à faire si l'abandon est voulu ; dites-le au contrôleur et notez où va son budget (feuille "
           "Virements).", "Nothing to do if it is dropped on purpose; tell the controller and record where its "
           "budget goes (Transfers sheet).")),
    _rule("action-dates-moved", WARNING, "approval", ("Dates d'action déplacées", "Action dates moved"),
          ("Les dates de l'action ont changé depuis la version approuvée : {old_start} – {old_end} devient "
           "{new_start} – {new_end}.",
           "The action's dates changed since the approved version: {old_start} – {old_end} became "
           "{new_start} – {new_end}."),
          ("Vérifiez que le phasage du budget suit (feuille Budget mensuel).",
           "Check that the budget's phasing follows (Monthly budget sheet).")),
    _rule("abandoned-action-replanned", WARNING, "logic", ("Action abandonnée reprogrammée", "Abandoned action planned again"),
          ("« {title} » est reprogrammée alors que le bilan N-1 a décidé de l'abandonner (ligne {review_id}).",
           "'{title}' is planned again although last year's review decided to abandon it (row {review_id})."),
          ("Justifiez la reprise ou retirez l'action.", "Justify bringing it back or remove the action.")),
)

#: Every way a file can be unreadable: code -> (message, hint). A message may
#: carry ``{...}`` parameters, given when the error is raised.
READ_ERRORS: dict[str, tuple[Label, Label]] = {
    "file-missing": (
        Label("Fichier introuvable : {path}", "File not found: {path}"),
        Label("Vérifiez le chemin et le nom du fichier.", "Check the path and the file name."),
    ),
    "file-changed": (
        Label("Le fichier a changé pendant sa lecture : {path}", "The file changed while it was read: {path}"),
        Label("Il était sans doute en cours d'enregistrement : relancez la commande une fois l'enregistrement fini.",
              "It was probably being saved: run the command again once it is saved."),
    ),
    "not-a-workbook": (
        Label("Ce fichier n'est pas un classeur Excel (.xlsx ou .xlsm)",
               "This file is not an Excel workbook (.xlsx or .xlsm)"),
        Label("Renvoyez le classeur du plan marketing, enregistré depuis Excel au format .xlsx ou .xlsm.",
               "Send back the marketing plan workbook, saved from Excel as .xlsx or .xlsm."),
    ),
    "corrupt-workbook": (
        Label("Le classeur est endommagé ou incomplet : {detail}",
               "The workbook is damaged or incomplete: {detail}"),
        Label("Demandez à l'expéditeur de renvoyer le fichier ; s'il s'ouvre dans Excel, "
               "qu'il l'enregistre à nouveau sous un autre nom avant de l'envoyer.",
               "Ask the sender to send the file again; if it opens in Excel, "
               "save it again under another name before sending it."),
    ),
    "encrypted-workbook": (
        Label("Le fichier est chiffré par un mot de passe", "The file is encrypted with a password"),
        Label("Demandez une copie sans mot de passe : dans Excel, Fichier > Informations > Protéger le classeur "
               "> Chiffrer avec mot de passe, effacer le mot de passe, puis enregistrer.",
               "Ask for a copy without a password: in Excel, File > Info > Protect Workbook "
               "> Encrypt with Password, clear the password, then save."),
    ),
    "legacy-xls": (
        Label("Le fichier est au format Excel 97-2003 (.xls), que le plan n'utilise pas",
               "The file is in the Excel 97-2003 format (.xls), which the plan does not use"),
        Label("Ouvrez-le dans Excel et enregistrez-le au format « Classeur Excel (.xlsx) » "
               "(ou .xlsm s'il contient des macros).",
               "Open it in Excel and save it as 'Excel Workbook (.xlsx)' (or .xlsm if it has macros)."),
    ),
    "wrong-office-format": (
        Label("Ce fichier est un document d'un autre format ({format}), pas un classeur Excel",
               "This file is a document of another format ({format}), not an Excel workbook"),
        Label("Il a sans doute été renommé ou joint par erreur : renvoyez le classeur du plan marketing (.xlsx ou .xlsm).",
               "It was probably renamed or attached by mistake: send back the marketing plan workbook (.xlsx or .xlsm)."),
    ),
    "oversized-workbook": (
        Label("Le classeur dépasse la limite de {limit} : {value} pour {maximum} au plus",
               "The workbook exceeds the {limit} limit: {value} for at most {maximum}"),
        Label("Un plan marketing tient en quelques centaines de lignes : supprimez les lignes, colonnes ou "
               "données collées en trop, enregistrez et renvoyez le fichier.",
               "A marketing plan fits in a few hundred rows: delete the extra rows, columns or pasted data, "
               "save and send the file again."),
    ),
    "unsafe-xml": (
        Label("Le classeur contient des déclarations XML refusées par sécurité (DTD ou entités) dans la partie {part}",
               "The workbook contains XML declarations refused for safety (DTD or entities) in part {part}"),
        Label("Excel n'écrit jamais de telles déclarations : le fichier a été fabriqué ou modifié par un autre outil. "
               "Demandez le fichier d'origine, enregistré depuis Excel.",
               "Excel never writes such declarations: the file was made or altered by another tool. "
               "Ask for the original file, saved from Excel."),
    ),
}

#: Short titles of the reader's refusals, for docs/rules.md and report headings.
_READ_TITLES = {
    "file-missing": ("Fichier introuvable", "File not found"),
    "file-changed": ("Fichier modifié pendant sa lecture", "File changed while read"),
    "not-a-workbook": ("Pas un classeur Excel", "Not an Excel workbook"),
    "corrupt-workbook": ("Classeur endommagé", "Damaged workbook"),
    "encrypted-workbook": ("Classeur chiffré", "Encrypted workbook"),
    "legacy-xls": ("Ancien format .xls", "Legacy .xls format"),
    "wrong-office-format": ("Autre format de document", "Another document format"),
    "oversized-workbook": ("Classeur hors limites", "Workbook beyond limits"),
    "unsafe-xml": ("XML dangereux", "Unsafe XML"),
}

_CATALOGUE = tuple(Rule(code, ERROR, "readability", Label(*_READ_TITLES[code]), message, hint)
                   for code, (message, hint) in READ_ERRORS.items()) + _CATALOGUE

RULES: dict[str, Rule] = {rule.code: rule for rule in _CATALOGUE}
assert len(RULES) == len(_CATALOGUE), "duplicate rule code"

#: The findings ``mplan-xl repair`` restores with certainty (:mod:`mplan_xl.check.repair`), the one list both
#: ``check`` (which says so in their hint and marks them ``"repairable"``) and ``repair`` read. A finding of
#: another code may still be repairable case by case (``type-invalid``: a date typed as text, ``15/03/2027``;
#: ``row-outside-table``: a row typed just below a table without a total row): the check that makes it says so.
REPAIRABLE = frozenset({
    "computed-overwritten", "formula-missing", "formula-altered", "formula-as-cell-references",
    "table-formulas-lost", "number-as-text", "format-scaled",
})
#: What the hint of a repairable finding adds.
REPAIR_HINT = Label("Réparation automatique, chaque valeur saisie gardée : mplan-xl repair FICHIER -o COPIE.",
                    "Automatic repair, every typed value kept: mplan-xl repair FILE -o COPY.")
assert REPAIRABLE <= set(RULES), "a repairable code is not in the catalogue"


#: The longest text a message quotes from a cell; a longer one is cut.
EXCERPT_CHARS = 80


def excerpt(value: Any) -> Any:
    """A text *value* cut to :data:`EXCERPT_CHARS` with an ellipsis; any other value as is.

    A message quotes a short excerpt of what a user typed or pasted, never
    all of it (a 5 MB value pasted into a number cell stays a one-line finding).

    Example:
        >>> excerpt("x" * 100)[-6:], excerpt(12.5)
        ('xxxxx…', 12.5)
    """
    if isinstance(value, str) and len(value) > EXCERPT_CHARS:
        return value[:EXCERPT_CHARS - 1] + "…"
    return value


def shown_date(value: Any, lang: str) -> Any:
    """A date as a message writes it: dd/mm/yyyy in French, yyyy-mm-dd in English; any other value as is.

    >>> shown_date(dt.date(2028, 1, 31), "fr"), shown_date(dt.date(2028, 1, 31), "en"), shown_date(3, "fr")
    ('31/01/2028', '2028-01-31', 3)
    """
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y") if lang == "fr" else value.isoformat()
    return value


def make_finding(code: str, lang: str, *, sheet: str | None = None, cell: str | None = None,
                 row_id: Any = None, verbatim: tuple[str, ...] = (), repairable: bool | None = None,
                 **params: Any) -> Finding:
    """A finding of rule *code*, its message and hint in *lang*.

    Parameters are quoted as :func:`excerpt` cuts them, but those named in *verbatim*: texts mplan-xl
    made itself, to be copied whole (a command line). *repairable* (by default: *code* is in
    :data:`REPAIRABLE`) marks a finding ``mplan-xl repair`` restores; its hint then names the command."""
    rule = RULES[code]
    repairable = code in REPAIRABLE if repairable is None else repairable
    hint = rule.hint(lang) if rule.hint else None
    if repairable:
        hint = f"{hint} {REPAIR_HINT(lang)}" if hint else REPAIR_HINT(lang)
    params = {k: v if k in verbatim else excerpt(v) for k, v in params.items()}
    row_id = None if row_id in (None, "") else excerpt(str(row_id))
    return Finding(code=code, severity=rule.severity, sheet=sheet, cell=cell, row_id=row_id,
                   message=rule.message(lang).format(sheet=sheet, cell=cell, **{k: shown_date(v, lang)
                                                                                for k, v in params.items()}),
                   hint=hint, params=plain_params(params), repairable=repairable)
