"""The command line's help in French (by default) and English: ``mplan-xl --help``, ``mplan-xl check --help``...

The help texts are written once in English beside their options in
:mod:`mplan_xl.cli`; :data:`FRENCH` gives each its French text (a test fails
when one is missing). :class:`HelpCommand` shows them in the language of
:func:`~mplan_xl.cli.cli_errors.user_lang`: ``--lang`` on the command line,
``MPLAN_LANG``, an English ``LC_ALL``/``LANG``, else French. click's own words
(Usage, Options, default, required...) are translated with them.
"""

from __future__ import annotations

import inspect
import re
import sys
from typing import Any, Sequence

import click

from ..core.errors import EXIT_USAGE
from ..core.vocabulary import Label
from .cli_errors import MplanGroup, user_lang

#: The three examples of ``mplan-xl`` without arguments: write a plan, check the returned ones, try the demo.
SHORT_EXAMPLES = ('mplan-xl new plan.xlsx --company "Atelier Lumen" --year 2027',
                  "mplan-xl check retours/",
                  "mplan-xl demo demo.xlsx --lang en")
#: The examples that end each command's ``--help`` (they are run as written by tests/test_cli_help.py: each
#: names only options the command has).
EXAMPLES: dict[str, tuple[str, ...]] = {
    "": SHORT_EXAMPLES,   # mplan-xl --help
    "new": ('mplan-xl new plan.xlsx --company "Atelier Lumen" --year 2027 --envelope 60000',
            "mplan-xl new plan.xlsm --lang en"),
    "demo": ("mplan-xl demo demo.xlsx", "mplan-xl demo demo.xlsx --fec demo-fec.txt --force"),
    "check": ("mplan-xl check retours/", "mplan-xl check retours/ --annotate annotes/ --format xlsx -o rapport.xlsx",
              "mplan-xl check retours/ --against approuve.xlsx --transfer-threshold 5000"),
    "rollover": ("mplan-xl rollover plan-2027.xlsx -o plan-2028.xlsx",),
    "upgrade": ("mplan-xl upgrade ancien-plan.xlsx -o plan.xlsx",),
    "actuals": ("mplan-xl actuals plan-2027.xlsx fec-2027.txt -o plan-2027-reel.xlsx --report rapprochement.json",),
    "diff": ("mplan-xl diff plan-v1.xlsx plan-v2.xlsx", "mplan-xl diff plan-v1.xlsx plan-v2.xlsx -o ecarts.xlsx"),
    "consolidate": ("mplan-xl consolidate retours/ --db plans.duckdb -o portefeuille.xlsx",
                    "mplan-xl consolidate retours/ --db plans.duckdb --currency EUR --rates eurofxref.csv"),
    "approve": ("mplan-xl approve retours/plan-atelier.xlsx --db plans.duckdb",
                'mplan-xl approve retours/plan-atelier.xlsx --db plans.duckdb --by "Claire Martin" --actions A01,A03'),
    "results": ("mplan-xl results plan-2027.xlsx ga4-mars.csv google-ads-mars.csv -o plan-2027-mars.xlsx",
                "mplan-xl results plan-2027.xlsx crm-maison.csv --rules resultats.toml --report resultats.json "
                "-o plan-2027-crm.xlsx"),
    "export": ("mplan-xl export plans.duckdb --parquet bi/",),
    "repair": ("mplan-xl repair plan-v2.xlsx -o plan-v2-repare.xlsx", "mplan-xl repair retours/ --into repares/ --dry-run"),
}

#: The examples' French file names and their English ones (``--help`` in English).
_ENGLISH_NAMES = (("retours/", "returned/"), ("annotes/", "annotated/"), ("rapport.xlsx", "report.xlsx"),
                  ("ancien-plan.xlsx", "old-plan.xlsx"), ("plan-2027-reel.xlsx", "plan-2027-actual.xlsx"),
                  ("rapprochement.json", "matching.json"), ("ecarts.xlsx", "changes.xlsx"),
                  ("portefeuille.xlsx", "portfolio.xlsx"), ("approuve.xlsx", "approved.xlsx"),
                  ("resultats.json", "results.json"), ("plan-v2-repare.xlsx", "plan-v2-repaired.xlsx"),
                  ("repares/", "repaired/"))


def examples(name: str, lang: str) -> tuple[str, ...]:
    """The examples of command *name* ("" for ``mplan-xl`` itself) in *lang*: the same commands, the file names
    in that language.

    >>> examples("check", "en")[0]
    'mplan-xl check returned/'
    """
    lines = EXAMPLES.get(name, ())
    if lang == "en":
        for french_name, english_name in _ENGLISH_NAMES:
            lines = tuple(line.replace(french_name, english_name) for line in lines)
    return lines


_SHORT_USAGE = {
    "title": Label("mplan-xl : le plan marketing opérationnel annuel dans un classeur Excel, avec Python derrière.",
                   "mplan-xl: the yearly operational marketing plan as an Excel workbook, with Python behind it."),
    "usage": Label("Utilisation : mplan-xl COMMANDE [OPTIONS] [ARGUMENTS]...",
                   "Usage: mplan-xl COMMAND [OPTIONS] [ARGS]..."),
    "examples": Label("Exemples :", "Examples:"),
    "commands": Label("Commandes : {names}", "Commands: {names}"),
    "more": Label("Aide d'une commande : mplan-xl COMMANDE --help ; tout : mplan-xl --help",
                  "Help on a command: mplan-xl COMMAND --help; everything: mplan-xl --help"),
}


def short_usage(lang: str, commands: Sequence[str]) -> str:
    """What ``mplan-xl`` without arguments prints: the usage line, what it is, three examples, where the help is."""
    t = {key: label(lang) for key, label in _SHORT_USAGE.items()}
    lines = [t["usage"], "", t["title"], "", t["examples"], *(f"  {line}" for line in examples("", lang)), "",
             t["commands"].format(names=", ".join(commands)), t["more"]]
    return "\n".join(lines)


def examples_text(name: str, lang: str) -> str:
    """The examples section that ends command *name*'s help ("" for ``mplan-xl --help``)."""
    lines = examples(name, lang)
    return "\n\n" + _SHORT_USAGE["examples"](lang) + "\n" + "\n".join(f"  {line}" for line in lines) if lines else ""

#: The commands' descriptions (their docstrings), by command name ("" for the group).
FRENCH_COMMANDS = {
    "": "mplan-xl : le plan marketing opérationnel annuel dans un classeur Excel, avec Python derrière.",
    "new": "Écrit un modèle de plan vide dans OUT.",
    "demo": "Écrit dans OUT un plan d'exemple entièrement rempli d'une entreprise fictive.",
    "check": "Contrôle les classeurs rendus (fichiers ou dossiers) ; les fichiers sont seulement lus.\n\n"
             "Avec --annotate DOSSIER, DOSSIER/<même nom> est une copie de chaque fichier qui a des constats, "
             "chaque constat en note sur sa cellule (surlignée), dans la langue du classeur ; les fichiers "
             "illisibles sont listés, pas copiés. Les fichiers de verrouillage, les fichiers du système et les "
             "sorties de mplan-xl trouvés dans un dossier sont ignorés.\n\n"
             "Avec --against APPROUVÉ.xlsx, chaque fichier est aussi comparé à la version approuvée : hausses, "
             "virements (expliqués par la feuille Virements), actions nouvelles, abandonnées ou déplacées.\n\n"
             "Les résultats sont gardés en cache hors des dossiers contrôlés : un fichier inchangé depuis un "
             "contrôle avec les mêmes options (et le même jour) n'est pas relu, et son rapport est le même "
             "(--no-cache : relire chaque fichier ; --annotate relit toujours chaque fichier).\n\n"
             "Code de sortie : 0 quand chaque fichier est valide, 1 quand l'un a une erreur (ou un avertissement "
             "avec --strict) ou ne peut être lu, 2 pour une erreur d'utilisation, 130 en cas d'interruption "
             "(Ctrl-C : le rapport des fichiers contrôlés, marqué incomplet).",
    "rollover": "Écrit le plan de l'an prochain à partir du PLAN rempli de cette année (seulement lu).\n\n"
                "Le Bilan N-1 reçoit une ligne par action avec une décision suggérée, à confirmer ; l'audit est "
                "repris marqué comme celui de l'an passé ; les objectifs non atteints sont reproposés avec leurs "
                "KPI, ID conservés. Les erreurs des catégories lecture et modèle bloquent ; les autres constats "
                "sont listés. Code de sortie : 0 quand le nouveau classeur passe le contrôle, 1 quand il a des "
                "erreurs (il est écrit quand même) ou que le plan est refusé, 2 pour une erreur d'utilisation.",
    "consolidate": "Charge chaque plan valide de PATHS (fichiers ou dossiers) dans une base de données et un "
                   "classeur de portefeuille.\n\n"
                   "Les fichiers invalides et illisibles sont écartés et listés avec leurs constats (aussi rangés "
                   "dans la table findings de la base). Les fichiers sont seulement lus. Avec --currency EUR "
                   "--rates FICHIER, les montants sont convertis dans la devise de consolidation (montants d'origine "
                   "gardés) ; sans taux, des devises différentes ne sont jamais additionnées. Code de sortie : 0 quand "
                   "chaque fichier est chargé, 1 quand certains sont écartés ou que la base ne peut être ouverte ou "
                   "écrite (verrouillée...), 2 pour une erreur d'utilisation.",
    "approve": "Enregistre cette version du PLAN d'une équipe (entreprise, année, sha256, chiffres) comme approuvée "
               "dans la base.\n\n"
               "Le plan est contrôlé et chargé comme le fait consolidate. --by et --comment sont enregistrés avec "
               "l'approbation ; --actions n'approuve que certaines actions (le plan est approuvé quand toutes le "
               "sont). Un consolidate ultérieur d'une version "
               "modifiée garde les chiffres approuvés, range la nouvelle version comme révision et la signale "
               "modifiée après approbation, avec ses différences. Code de sortie : 0 approuvé, 1 refusé (le plan a "
               "des erreurs) ou erreur de base de données, 2 erreur d'utilisation.",
    "export": "Écrit les vues BI de la base de consolidation DB (fichier DuckDB ou URI PostgreSQL) en fichiers "
              "Parquet.\n\n"
              "bi_plans, bi_budget_lines et bi_budget_months (une ligne par plan x ligne de budget x mois), "
              "décrites dans docs/data-dictionary.md. Code de sortie : 0 écrit, 1 erreur de base de données, "
              "2 erreur d'utilisation.",
    "diff": "Ce qui a changé de OLD à NEW, deux versions d'un plan (les fichiers sont seulement lus).\n\n"
            "Par tableau et ID de ligne : lignes ajoutées, supprimées, modifiées (colonne : ancien -> nouveau) ; "
            "résultats calculés qui ont bougé ; totaux ; identité du plan ; structure (feuilles, colonnes, "
            "formules, macros). La comparaison porte sur les clés de colonnes et les codes : un classeur français "
            "et un classeur anglais du même plan sont égaux. Code de sortie : 0 identiques, 1 différents, 2 pour "
            "une erreur d'utilisation ou une entrée illisible.",
    "actuals": "Écrit une copie du PLAN dont le réel des lignes budgétaires vient de l'export FEC de la "
               "comptabilité.\n\n"
               "Les écritures de charges (classe 6) de l'année du plan sont rapprochées des lignes budgétaires : "
               "une règle explicite de --rules, sinon la référence de devis de la ligne dans la pièce ou le "
               "libellé de l'écriture, sinon le fournisseur de la ligne (quand il n'a qu'une ligne). Les dépenses "
               "marketing qu'aucune ligne ne revendique sont listées. Un FEC sans charge de l'année du plan, ou "
               "dont un montant ne suit pas la notation du fichier, est refusé. PLAN et FEC sont seulement lus. "
               "Code de sortie : 0 quand la copie est écrite et chaque dépense marketing rapprochée, 1 quand "
               "certaines ne le sont pas (la copie est écrite) ou que rien n'a pu être écrit (FEC, plan ou règles "
               "refusés), 2 pour une erreur d'utilisation.",
    "results": "Écrit une copie du PLAN dont le gain obtenu des actions et les mois des KPI viennent des "
               "exports EXPORT.\n\n"
               "Chaque EXPORT est reconnu à son en-tête (interface française ou anglaise) : Google Analytics 4 "
               "(Acquisition de trafic par Campagne de la session), Google Ads, Meta Ads Manager, LinkedIn Campaign "
               "Manager (rapports de campagnes), transactions HubSpot, commandes Shopify ou WooCommerce avec leur "
               "campagne UTM ; tout autre CSV ou xlsx décrit dans --rules ([export]). Une ligne revient à l'action "
               "dont elle porte le Code campagne (exact, puis sans casse ni accents), sinon à l'action qu'une règle "
               "[[match]] de --rules nomme. Les lignes non rapprochées sont listées (jamais écartées) ; celles d'une "
               "autre année, après --as-of ou déjà lues dans un EXPORT précédent sont comptées à part. PLAN et les "
               "exports sont seulement lus. Code de sortie : 0 quand la copie est écrite et chaque ligne "
               "rapprochée, 1 quand des lignes ne le sont pas (la copie est écrite) ou que rien n'a pu être écrit "
               "(un export, le plan ou les règles refusés), 2 pour une erreur d'utilisation.",
    "upgrade": "Passe OLD, un plan fait avec un ancien modèle, au modèle actuel, écrit dans NEW (OLD est "
               "seulement lu).\n\n"
               "Chaque valeur est reprise : l'identité du plan, ses seuils de KPI, chaque saisie de chaque tableau, "
               "dans la langue du plan. Ce qui ne peut être repris est listé (feuilles et colonnes ajoutées par "
               "l'équipe, valeurs hors des tableaux, chiffres saisis sur des cellules calculées, notes, graphiques, "
               "macros VBA étrangères, mise en forme). Un plan du modèle actuel est recopié dans un modèle neuf. "
               "Code de sortie : 0 quand NEW est écrit, 1 quand OLD ne peut être mis à niveau (illisible, pas un "
               "plan, modèle plus récent, feuille, tableau ou colonne manquant), 2 pour une erreur d'utilisation.",
    "repair": "Écrit une copie réparée de chaque PLAN (fichiers ou dossiers), chaque valeur saisie par l'équipe "
              "gardée ; les PLANs sont seulement lus.\n\n"
              "Rétablit la formule du modèle dans les cellules calculées écrasées, effacées, modifiées ou écrites en "
              "adresses de cellules (lignes insérées par l'équipe comprises), les nombres et dates saisis comme du "
              "texte (12 500, 1 200,50 €, 15 %, 15/03/2027), les définitions de colonnes calculées et les formats "
              "de nombre qu'un enregistrement par LibreOffice a abîmés. Ne change jamais une valeur saisie, ne "
              "supprime ni ligne ni feuille : ce qui n'est pas certain (un texte qui n'est pas un nombre, une ligne "
              "saisie sous un tableau) est listé avec sa cellule et laissé tel quel. Code de sortie : 0 quand "
              "chaque plan est réparé ou n'a rien à réparer, 1 quand un point est laissé à l'équipe ou qu'un "
              "fichier ne peut être lu, 2 pour une erreur d'utilisation.",
}

#: The options' help, English text -> French text.
FRENCH = {
    "Language of the workbook and of messages (fr or en; env MPLAN_LANG).":
        "Langue du classeur et des messages (fr ou en ; variable MPLAN_LANG).",
    "Company name written on the Guide sheet.": "Nom de l'entreprise écrit sur la feuille Accueil.",
    "Plan year (default: next year).": "Année du plan (par défaut : l'an prochain).",
    "Currency of every amount.": "Devise de tous les montants.",
    "Who prepares the plan.": "Qui prépare le plan.",
    "Yearly marketing budget envelope.": "Enveloppe annuelle du budget marketing (virgule décimale acceptée).",
    "xlwings: MPLAN_ functions computed by Python (.xlsm, Windows Excel); native: plain Excel formulas (.xlsx, any "
    "Excel, Mac, web, LibreOffice). Default: from OUT's extension.":
        "xlwings : fonctions MPLAN_ calculées par Python (.xlsm, Excel Windows) ; native : formules Excel simples "
        "(.xlsx, tout Excel, Mac, web, LibreOffice). Par défaut : selon l'extension de OUT.",
    "Protect the sheets (no password): computed cells cannot be typed over, but sorting, deleting rows and growing "
    "tables are blocked (see docs/reference.md).":
        "Protège les feuilles (sans mot de passe) : les cellules calculées ne peuvent être écrasées, mais trier, "
        "supprimer des lignes et agrandir les tableaux sont bloqués (voir docs/reference.md).",
    "Replace the output if it exists (every command: an existing output is replaced only with --force).":
        "Remplace la sortie si elle existe (toutes les commandes : une sortie existante n'est remplacée "
        "qu'avec --force).",
    "The workbook to write (instead of OUT).": "Le classeur à écrire (au lieu de OUT).",
    "Replace the fictional company's name.": "Remplace le nom de l'entreprise fictive.",
    "Seed the documented problems the validator must find.":
        "Sème les problèmes documentés que le contrôle doit trouver.",
    "Also write the fictional company's accounts export (FEC), to try `mplan-xl actuals` on the demo.":
        "Écrit aussi l'export comptable (FEC) de l'entreprise fictive, pour essayer `mplan-xl actuals` sur la "
        "démo.",
    "Report format: text (terminal), json (stable, documented), xlsx (links to cells), junit (CI). Default: from "
    "OUTPUT's extension (.json, .xlsx, .xml), else text.":
        "Format du rapport : text (terminal), json (stable, documenté), xlsx (liens vers les cellules), junit "
        "(CI). Par défaut : selon l'extension de OUTPUT (.json, .xlsx, .xml), sinon text.",
    "Write the report to this file (atomically) instead of the standard output.":
        "Écrit le rapport dans ce fichier (de façon atomique) au lieu de la sortie standard.",
    "Worker processes (default: core count).": "Processus de travail (par défaut : le nombre de cœurs).",
    "Warnings fail the check too (exit code 1).": "Les avertissements font aussi échouer le contrôle (code 1).",
    "Time limit per file, in seconds.": "Durée maximale par fichier, en secondes.",
    "Compare each file with this approved version: increases (total or envelope) are errors, transfers between "
    "lines not recorded on the Transfers sheet are warnings, new, dropped or moved actions are shown.":
        "Compare chaque fichier à cette version approuvée : une hausse (total ou enveloppe) est une erreur, un "
        "virement entre lignes non noté sur la feuille Virements un avertissement ; les actions nouvelles, "
        "abandonnées ou déplacées sont signalées.",
    "Neither read nor write the result cache (by default a file unchanged since a check with the same options and "
    "the same mplan-xl is not read again; the cache is kept in MPLAN_XL_CACHE_DIR, else XDG_CACHE_HOME/mplan-xl or "
    "~/.cache/mplan-xl, never in the checked folder).":
        "Ne lit ni n'écrit le cache des résultats (par défaut, un fichier inchangé depuis un contrôle avec les mêmes "
        "options et le même mplan-xl n'est pas relu ; le cache est dans MPLAN_XL_CACHE_DIR, sinon "
        "XDG_CACHE_HOME/mplan-xl ou ~/.cache/mplan-xl, jamais dans le dossier contrôlé).",
    "With --against: what a line may receive by transfer before it needs approval (an error).":
        "Avec --against : ce qu'une ligne peut recevoir par virement sans approbation (au-delà : une erreur).",
    "Write into this folder a copy of each file with findings, each finding a note at its cell "
    "(an existing copy is replaced only with --force).":
        "Écrit dans ce dossier une copie de chaque fichier qui a des constats, chaque constat en note sur sa "
        "cellule (une copie existante n'est remplacée qu'avec --force).",
    "Next year's workbook to write (.xlsx native, .xlsm xlwings).":
        "Classeur de l'an prochain à écrire (.xlsx native, .xlsm xlwings).",
    "Year of the new plan (default: the plan's year + 1).":
        "Année du nouveau plan (par défaut : l'année du plan + 1).",
    "Language of messages, and of the new workbook when given (default workbook language: the plan's own).":
        "Langue des messages, et du nouveau classeur quand elle est donnée (par défaut, le classeur garde la "
        "langue du plan).",
    "DuckDB database file (created when missing) or PostgreSQL URI (postgresql://user@host/db); a plan loaded again "
    "replaces its rows, an approved plan keeps its approved figures.":
        "Fichier de base DuckDB (créé s'il manque) ou URI PostgreSQL (postgresql://user@host/db) ; un plan chargé "
        "à nouveau remplace ses lignes, un plan approuvé garde ses chiffres approuvés.",
    "Portfolio workbook (.xlsx) to write from the whole database.":
        "Classeur de portefeuille (.xlsx) à écrire à partir de toute la base.",
    "DuckDB database file (created when missing) or PostgreSQL URI (postgresql://user@host/db).":
        "Fichier de base DuckDB (créé s'il manque) ou URI PostgreSQL (postgresql://user@host/db).",
    "Time limit for reading the file, in seconds.": "Durée maximale de lecture du fichier, en secondes.",
    "text (terminal), json (stable), xlsx (one row per difference). Default: from OUTPUT's extension (.json, .xlsx), "
    "else text.":
        "text (terminal), json (stable), xlsx (une ligne par différence). Par défaut : selon l'extension de "
        "OUTPUT (.json, .xlsx), sinon text.",
    "Write the differences to this file (atomically) instead of the standard output.":
        "Écrit les différences dans ce fichier (de façon atomique) au lieu de la sortie standard.",
    "Copy of PLAN to write, with each budget line's actual taken from the FEC.":
        "Copie du PLAN à écrire, le réel de chaque ligne budgétaire tiré du FEC.",
    "JSON report to write: matched, unmatched (every entry), ignored (by reason), total of each budget line.":
        "Rapport JSON à écrire : rapprochées, non rapprochées (chaque écriture), ignorées (par motif), total de "
        "chaque ligne budgétaire.",
    "Mapping table (CSV: ligne;compte;fournisseur;libelle) whose rules claim entries first.":
        "Table de correspondance (CSV : ligne;compte;fournisseur;libelle) dont les règles revendiquent les "
        "écritures en premier.",
    "Only entries up to this date (YYYY-MM-DD or DD/MM/YYYY).":
        "Seulement les écritures jusqu'à cette date (JJ/MM/AAAA ou AAAA-MM-JJ).",
    "Account prefixes of marketing expenses whose unmatched entries are listed (comma-separated).":
        "Préfixes des comptes de dépenses marketing dont les écritures non rapprochées sont listées (séparés "
        "par des virgules).",
    "Copy of PLAN to write, with the achieved gain and the KPI months taken from the exports.":
        "Copie du PLAN à écrire, le gain obtenu et les mois des KPI tirés des exports.",
    "Rules file (TOML or YAML): [gain] revenue or margin at a rate, [export] columns of another file, [[match]] "
    "campaign -> action.":
        "Fichier de règles (TOML ou YAML) : [gain] chiffre d'affaires ou marge à un taux, [export] colonnes d'un "
        "autre fichier, [[match]] campagne -> action.",
    "JSON report to write: per file what was read, matched, unmatched, ignored; per action its gain.":
        "Rapport JSON à écrire : par fichier ce qui a été lu, rapproché, non rapproché, ignoré ; par action son gain.",
    "Only rows up to this date (YYYY-MM-DD or DD/MM/YYYY).":
        "Seulement les lignes jusqu'à cette date (JJ/MM/AAAA ou AAAA-MM-JJ).",
    "The workbook to write in the current template (.xlsx native, .xlsm xlwings).":
        "Le classeur à écrire au modèle actuel (.xlsx native, .xlsm xlwings).",
    "Exchange rates CSV (currency, rate, date; or the ECB's eurofxref.csv as downloaded): every amount is converted "
    "to --currency; a plan whose currency has no rate is not loaded.":
        "Taux de change CSV (devise, taux, date ; ou le eurofxref.csv de la BCE tel que téléchargé) : chaque "
        "montant est converti en --currency ; un plan dont la devise n'a pas de taux n'est pas chargé.",
    "The group's reporting currency (with --rates; default EUR).":
        "La devise de consolidation du groupe (avec --rates ; par défaut EUR).",
    "Who approves (default: the session's user name).": "Qui approuve (par défaut : l'utilisateur de la session).",
    "Why, or on what condition (kept with the approval).":
        "Pourquoi, ou à quelle condition (gardé avec l'approbation).",
    "Approve only these actions (comma-separated ids); the others wait, pending.":
        "N'approuve que ces actions (ID séparés par des virgules) ; les autres restent en attente.",
    "Consolidation database (DuckDB file or PostgreSQL URI): show the plan's approval (who, when, why) and the "
    "approved actions the changes touch.":
        "Base de consolidation (fichier DuckDB ou URI PostgreSQL) : montre l'approbation du plan (qui, quand, "
        "pourquoi) et les actions approuvées que les changements touchent.",
    "Folder to write the BI views to, one Parquet file per view (created when missing).":
        "Dossier où écrire les vues BI, un fichier Parquet par vue (créé s'il manque).",
    "The repaired copy to write (one plan).": "La copie réparée à écrire (un seul plan).",
    "Write the repaired copy of each plan into this folder, under its own name.":
        "Écrit la copie réparée de chaque plan dans ce dossier, sous son propre nom.",
    "List what would be repaired; write nothing.": "Liste ce qui serait réparé ; n'écrit rien.",
    "text (one line per file; a single plan's repairs one per line), json (every repair and every point left, "
    "located).":
        "text (une ligne par fichier ; pour un seul plan, une ligne par réparation), json (chaque réparation et "
        "chaque point laissé, situés).",
    "Show this message and exit.": "Affiche cette aide et quitte.",
    "Show the version and exit.": "Affiche la version et quitte.",
}

#: click's own words in a help page, English -> French.
_CLICK_WORDS = (("Usage:", "Utilisation :"), ("Options:", "Options :"), ("Commands:", "Commandes :"),
                ("[default: ", "[défaut : "), ("[required]", "[obligatoire]"), ("[env var: ", "[variable : "))


def french(text: str | None) -> str | None:
    """The French help of an English *text* (the text itself when it has none)."""
    if text is None:
        return None
    return FRENCH.get(" ".join(text.split()), text)


class HelpCommand(click.Command):
    """A command whose ``--help`` is in the user's language (French by default)."""

    def get_help(self, ctx: click.Context) -> str:
        return localized_help(self, ctx, super().get_help)


class HelpGroup(MplanGroup):
    """The ``mplan-xl`` group, its help and its commands' help in the user's language."""

    command_class = HelpCommand

    def get_help(self, ctx: click.Context) -> str:
        return localized_help(self, ctx, super().get_help)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args and not ctx.resilient_parsing:   # ``mplan-xl`` alone: the short usage, not the whole help
            click.echo(short_usage(user_lang(self.args_given), self.list_commands(ctx)), err=True)
            sys.exit(EXIT_USAGE)
        return super().parse_args(ctx, args)


def localized_help(command: click.Command, ctx: click.Context, render: Any) -> str:
    """*command*'s help page rendered by *render(ctx)*, in French unless the user's language is English."""
    lang = user_lang(getattr(ctx.find_root().command, "args_given", None))
    examples = examples_text("" if isinstance(command, click.Group) else command.name or "", lang)
    if lang == "en":
        return _plain_defaults(render(ctx)) + examples
    commands = ({"": command, **command.commands} if isinstance(command, click.Group)
                else {command.name or "": command})
    saved_commands = {name: c.help for name, c in commands.items()}
    saved_params = [(p, p.help) for p in command.get_params(ctx) if isinstance(p, click.Option) and p.help]
    for name, c in commands.items():
        c.help = FRENCH_COMMANDS.get(name, c.help)
    for param, text in saved_params:
        param.help = french(inspect.cleandoc(text or ""))
    try:
        page = render(ctx)
    finally:
        for name, c in commands.items():
            c.help = saved_commands[name]
        for param, text in saved_params:
            param.help = text
    for english, translated in _CLICK_WORDS:
        page = page.replace(english, translated)
    return _plain_defaults(page) + examples


def _plain_defaults(page: str) -> str:
    """click shows a default given as a text in brackets (``[défaut : (fr)]``): shown as the value (``[défaut : fr]``).

    >>> _plain_defaults("--lang [fr|en]  Langue.  [défaut :\\n    (fr)]")
    '--lang [fr|en]  Langue.  [défaut :\\n    fr]'
    """
    return re.sub(r"(\[(?:default:|défaut :)\s+)\(([^()\]]*)\)", r"\1\2", page)


__all__ = ["EXAMPLES", "examples", "FRENCH", "FRENCH_COMMANDS", "HelpCommand", "HelpGroup", "SHORT_EXAMPLES", "examples_text",
           "french", "localized_help", "short_usage"]
