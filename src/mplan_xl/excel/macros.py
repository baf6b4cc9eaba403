"""The VBA that a macro-enabled plan carries, generated and committed in ``macros/``.

- ``xlwings.bas``: the xlwings runtime module of the pinned xlwings version,
  copied from the installed package (the module talks to the xlwings DLL of
  the same version, hence the exact pin).
- ``Dictionary.cls``: the class module xlwings' standalone workbooks carry
  next to ``xlwings.bas`` (``xlwings quickstart --standalone`` and ``xlwings
  release`` import both): on a Mac, ``xlwings.bas`` reads the
  ``xlwings.conf`` sheet into this ``Dictionary`` instead of Windows'
  ``Scripting.Dictionary``. Copied from the installed xlwings, unchanged.
- ``xlwings_udfs.bas``: the ``MPLAN_`` wrappers, written by xlwings' own
  generator (``xlwings.udfs.generate_vba_wrapper``), exactly what xlwings'
  "Import Functions" would import. It keeps xlwings' module name
  ``xlwings_udfs`` on purpose: "Import Functions" replaces that module, so
  re-importing on a desktop never leaves two definitions of ``MPLAN_ROI``
  (an "ambiguous name" compile error). xlwings' generator only runs on
  Windows; here its Windows-only imports (pythoncom, pywintypes, win32com)
  are stubbed, since writing text needs none of them.
- ``mplan_functions.bas``: ``MplanRegisterFunctions`` gives Excel's function
  wizard each function's description and argument help
  (``Application.MacroOptions``, as xlwings' import does), in the workbook's
  language (``lang`` in the hidden ``mplan_meta`` sheet); ``ThisWorkbook``
  calls it on opening. The texts come from the registry of
  :mod:`mplan_xl.core.metrics`.
- ``mplan_selfcheck.bas``: ``MplanSelfCheck``, called first on opening: runs
  the configured Python once, hidden, and when Python, xlwings or mplan-xl is
  missing, or not of the versions this workbook expects, or xlwings' DLL is
  absent, says in the workbook's language what to install, and that the
  ``.xlsx`` works without Python.

Workbooks embed the committed ``macros/`` files (shipped in the package as
``mplan_xl.macros_vba``). Regenerate them with ``python -m mplan_xl.excel.macros``
from a checkout; a test fails when they differ from what the generators write.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import io
import sys
import types
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from ..core.schema import META_SHEET
from ..core.vocabulary import Label
from .vba_sources import (  # noqa: F401
    DICTIONARY_MODULE,
    MACROS_DIR,
    MODULE_NAMES,
    MODULES,
    REGISTER_MODULE,
    RUNTIME_MODULE,
    SELFCHECK_MODULE,
    THIS_WORKBOOK_CODE,
    WRAPPER_MODULE,
    committed_files,
    document_code,
    module_code,
    vba_modules,
    vba_sources,
)

#: The module the VBA calls: the compatibility name :mod:`mplan_xl.udfs` (workbooks already sent carry it).
UDF_MODULE = "mplan_xl.udfs"
#: Where the functions are written; :data:`UDF_MODULE` re-exports them.
UDF_SOURCE = "mplan_xl.excel.udfs"
#: Where the registration reads the workbook's language: key "lang" of the metadata sheet (column A keys, B values).
LANG_KEY = "lang"
#: VBA code page of the project (Windows-1252): characters it lacks are spelt in ASCII.
_VBA_SPELLING = str.maketrans({"−": "-", "≥": ">=", "≤": "<=", "→": "->", "\u202f": " ", "\u00a0": " "})


@contextlib.contextmanager
def _windows_stubs() -> Iterator[None]:
    """Make ``xlwings.udfs`` importable off Windows, and undo it afterwards."""
    names = ("pythoncom", "pywintypes", "win32com", "win32com.client")
    saved = {name: sys.modules.get(name) for name in (*names, "xlwings.udfs")}
    for name in names:
        if name not in sys.modules:
            stub = types.ModuleType(name)
            stub.com_error = Exception  # type: ignore[attr-defined]
            stub.Dispatch = lambda *a, **k: None  # type: ignore[attr-defined]
            stub.CoInitialize = lambda: None  # type: ignore[attr-defined]
            sys.modules[name] = stub
    try:
        yield
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


def _decorated_udf_module(xludfs: types.ModuleType) -> types.ModuleType:
    """A private copy of :mod:`mplan_xl.udfs` whose ``xw.func``/``arg``/``ret`` are xlwings' real decorators
    (off Windows, xlwings exports no-op ones)."""
    import xlwings
    saved = {name: getattr(xlwings, name) for name in ("func", "arg", "ret")}
    xlwings.func, xlwings.arg, xlwings.ret = xludfs.xlfunc, xludfs.xlarg, xludfs.xlret
    try:
        spec = importlib.util.find_spec(UDF_SOURCE)
        if spec is None or spec.loader is None:  # our own module, always there
            raise ImportError(f"cannot load {UDF_SOURCE}")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        for name, value in saved.items():
            setattr(xlwings, name, value)


class _Workbook:
    Name = "plan.xlsm"   # the generator only looks at the extension (.xlam vs workbook)


@lru_cache(maxsize=1)
def _udf_functions() -> tuple[str, list[dict]]:
    """xlwings' wrapper module text for :mod:`mplan_xl.udfs`, and the ``__xlfunc__`` of each function."""
    with _windows_stubs():
        xludfs = importlib.import_module("xlwings.udfs")
        module = _decorated_udf_module(xludfs)
        out = io.StringIO()
        writer = xludfs.VBAWriter(out)
        # The same header xlwings.udfs.import_udfs writes before the wrappers.
        writer.writeln(f'Attribute VB_Name = "{WRAPPER_MODULE}"')
        writer.writeln("'Autogenerated code by xlwings - changes will be lost with next import!")
        writer.writeln("""#Const App = "Microsoft Excel" 'Adjust when using outside of Excel""")
        xludfs.generate_vba_wrapper(UDF_MODULE, module, out, _Workbook())
        functions = [getattr(module, name).__xlfunc__ for name in dir(module)
                     if hasattr(getattr(module, name), "__xlfunc__")]
        return out.getvalue(), functions


def wrapper_module() -> str:
    """The ``MPLAN_`` wrappers, as xlwings' generator writes them for :mod:`mplan_xl.udfs`."""
    return _crlf(_udf_functions()[0])


def udf_names() -> list[str]:
    """Names of the Excel functions :mod:`mplan_xl.udfs` declares, sorted."""
    return sorted(f["name"] for f in _udf_functions()[1])


def _vba_string(text: str) -> str:
    """A VBA string literal of *text*, in the project's code page."""
    text = text.translate(_VBA_SPELLING).encode("cp1252", "replace").decode("cp1252")
    return '"' + text.replace('"', '""') + '"'


def _register_calls(lang: str, indent: str) -> list[str]:
    from .udfs import CATEGORY, wizard_help

    lines = []
    for name in udf_names():
        description, helps = wizard_help(name, lang)
        args = ", _\n".join(f"{indent}        {_vba_string(h)}" for h in helps)
        call = f'{indent}MplanRegister "{name}", {_vba_string(description)}, {_vba_string(CATEGORY)}'
        lines.append(f"{call}, Array( _\n{args})" if helps else f"{call}, Array()")
    return lines


def register_module() -> str:
    """``MplanRegisterFunctions``: descriptions and argument help for the function wizard, in the workbook's language."""
    lines = [
        f'Attribute VB_Name = "{REGISTER_MODULE}"',
        "' Generated by mplan-xl (python -m mplan_xl.macros): function wizard help for the MPLAN_ functions,",
        f"' in the workbook's language (key \"{LANG_KEY}\" of the {META_SHEET} sheet). Called by Workbook_Open.",
        "Option Explicit",
        "",
        "Public Sub MplanRegisterFunctions()",
        "    On Error Resume Next",
        "    If MplanLanguage() = \"en\" Then",
        *_register_calls("en", "        "),
        "    Else",
        *_register_calls("fr", "        "),
        "    End If",
        "End Sub",
        "",
        "Public Function MplanLanguage() As String",
        "    Dim row As Long",
        "    MplanLanguage = \"fr\"",
        "    On Error GoTo done",
        f"    With ThisWorkbook.Worksheets(\"{META_SHEET}\")",
        "        For row = 1 To 50",
        f"            If CStr(.Cells(row, 1).Value) = \"{LANG_KEY}\" Then",
        "                If LCase(Trim(CStr(.Cells(row, 2).Value))) = \"en\" Then MplanLanguage = \"en\"",
        "                Exit Function",
        "            End If",
        "        Next row",
        "    End With",
        "done:",
        "End Function",
        "",
        "Private Sub MplanRegister(functionName As String, helpText As String, categoryName As String, _",
        "                          argumentHelp As Variant)",
        "    ' Excel 2010 and later take argument help; a failure here never stops the workbook from opening.",
        "    On Error Resume Next",
        "    Dim macroName As String",
        "    macroName = \"'\" & ThisWorkbook.Name & \"'!\" & functionName",
        "    If UBound(argumentHelp) < LBound(argumentHelp) Then",
        "        Application.MacroOptions Macro:=macroName, Description:=helpText, Category:=categoryName",
        "    Else",
        "        Application.MacroOptions Macro:=macroName, Description:=helpText, Category:=categoryName, _",
        "            ArgumentDescriptions:=argumentHelp",
        "    End If",
        "End Sub",
        "",
    ]
    return _crlf("\n".join(lines))


#: What the self-check tells the user, by case; {xlwings} and {mplan} are the versions this workbook expects.
_SELFCHECK_TEXTS = {
    "title": Label("Plan marketing : Python n'est pas prêt", "Marketing plan: Python is not ready"),
    "no_python": Label(
        "Python est introuvable sur ce poste : les colonnes calculées par les fonctions MPLAN_ ne se mettront pas à "
        "jour.\n\nÀ faire (une fois) : installez Python 3, puis dans une invite de commandes :\n"
        "    pip install mplan-xl=={mplan} xlwings=={xlwings}",
        "Python cannot be found on this computer: the columns computed by the MPLAN_ functions will not update.\n\n"
        "To do (once): install Python 3, then in a command prompt:\n    pip install mplan-xl=={mplan} xlwings=={xlwings}"),
    "no_xlwings": Label(
        "Python répond, mais xlwings n'y est pas installé.\n\nÀ faire : pip install xlwings=={xlwings} mplan-xl=={mplan}",
        "Python answers, but xlwings is not installed in it.\n\nTo do: pip install xlwings=={xlwings} mplan-xl=={mplan}"),
    "no_mplan": Label(
        "Python et xlwings répondent, mais mplan-xl n'est pas installé.\n\nÀ faire : pip install mplan-xl=={mplan}",
        "Python and xlwings answer, but mplan-xl is not installed.\n\nTo do: pip install mplan-xl=={mplan}"),
    "xlwings_version": Label(
        "Ce classeur attend xlwings {xlwings}, Python a xlwings {found} : le module VBA et la DLL de xlwings doivent "
        "être de la même version.\n\nÀ faire : pip install xlwings=={xlwings}",
        "This workbook expects xlwings {xlwings}, Python has xlwings {found}: xlwings' VBA module and DLL must be of "
        "the same version.\n\nTo do: pip install xlwings=={xlwings}"),
    "mplan_version": Label(
        "Ce classeur a été créé par mplan-xl {mplan}, Python a mplan-xl {found} (version majeure différente).\n\n"
        "À faire : pip install mplan-xl=={mplan}, ou régénérez le classeur avec la version installée.",
        "This workbook was made by mplan-xl {mplan}, Python has mplan-xl {found} (another major version).\n\n"
        "To do: pip install mplan-xl=={mplan}, or generate the workbook again with the installed version."),
    "no_dll": Label(
        "xlwings {xlwings} est installé mais sa DLL (xlwings64-{xlwings}.dll) manque à côté de python.exe.\n\n"
        "À faire : pip install --force-reinstall xlwings=={xlwings}",
        "xlwings {xlwings} is installed but its DLL (xlwings64-{xlwings}.dll) is missing next to python.exe.\n\n"
        "To do: pip install --force-reinstall xlwings=={xlwings}"),
    "footer": Label(
        "\n\nEn attendant, les valeurs déjà calculées restent affichées. Sans Python, le même plan au format .xlsx "
        "(mplan-xl new plan.xlsx) calcule tout en formules Excel natives. Aide : docs/windows-setup.md.",
        "\n\nMeanwhile the values already computed stay on display. Without Python, the same plan as an .xlsx file "
        "(mplan-xl new plan.xlsx) computes everything with native Excel formulas. Help: docs/windows-setup.md."),
}
#: The Python one-liner the self-check runs: single quotes only (it sits inside the command line's double quotes)
#: and no "%" (cmd.exe would read %...% as a variable).
_SELFCHECK_PYTHON = ("import os,sys;import xlwings,mplan_xl;d=os.path.dirname(sys.executable);"
                     "n='xlwings'+('64' if sys.maxsize>2**32 else '32')+'-'+xlwings.__version__+'.dll';"
                     "print('MPLAN-CHECK',xlwings.__version__,mplan_xl.__version__,"
                     "int(any(os.path.exists(os.path.join(p,n)) for p in (d,os.path.dirname(d)))))")


def _selfcheck_messages(lang: str, indent: str) -> list[str]:
    import xlwings

    from .. import __version__

    lines = []
    for key in ("title", "no_python", "no_xlwings", "no_mplan", "xlwings_version", "mplan_version", "no_dll", "footer"):
        text = _SELFCHECK_TEXTS[key](lang).format(xlwings=xlwings.__version__, mplan=__version__, found="{found}")
        parts = text.split("\n")
        literal = " & vbLf & ".join(_vba_string(part) for part in parts)
        lines.append(f'{indent}Case "{key}": MplanCheckText = {literal}')
    return lines


def selfcheck_module() -> str:
    """``MplanSelfCheck``: on opening (Windows), runs the configured Python once, hidden, and checks that xlwings
    and mplan-xl import in the versions this workbook was generated for and that xlwings' DLL is there; when not,
    one message box in the workbook's language says what to install (and that the ``.xlsx`` works without
    Python). Nothing here calls an ``MPLAN_`` function, and no failure stops the workbook from opening."""
    import xlwings

    from .. import __version__

    lines = [
        f'Attribute VB_Name = "{SELFCHECK_MODULE}"',
        "' Generated by mplan-xl (python -m mplan_xl.macros): on opening, checks that Python, xlwings and mplan-xl",
        "' answer in the versions this workbook was made for, before any MPLAN_ function runs. Called by Workbook_Open.",
        "Option Explicit",
        "",
        f'Private Const EXPECTED_XLWINGS As String = "{xlwings.__version__}"',
        f'Private Const EXPECTED_MPLAN As String = "{__version__}"',
        "",
        "Public Function MplanSelfCheck() As Boolean",
        "    Dim answer As String, problem As String, found As String, parts() As String",
        "    MplanSelfCheck = True",
        "    #If Mac Then",
        "        Exit Function",
        "    #Else",
        "    On Error GoTo done",
        "    answer = MplanAskPython()",
        '    If InStr(answer, "MPLAN-CHECK") = 0 Then',
        """        If InStr(answer, "No module named 'xlwings'") > 0 Then""",
        '            problem = "no_xlwings"',
        """        ElseIf InStr(answer, "No module named 'mplan_xl'") > 0 Then""",
        '            problem = "no_mplan"',
        "        Else",
        '            problem = "no_python"',
        "        End If",
        "    Else",
        '        parts = Split(Trim(Mid(answer, InStr(answer, "MPLAN-CHECK"))), " ")',
        "        If parts(1) <> EXPECTED_XLWINGS Then",
        '            problem = "xlwings_version": found = parts(1)',
        '        ElseIf Split(parts(2), ".")(0) <> Split(EXPECTED_MPLAN, ".")(0) Then',
        '            problem = "mplan_version": found = parts(2)',
        '        ElseIf Left(parts(3), 1) <> "1" Then',
        '            problem = "no_dll"',
        "        End If",
        "    End If",
        '    If problem <> "" Then',
        "        MplanSelfCheck = False",
        '        MsgBox Replace(MplanCheckText(problem), "{found}", found) & MplanCheckText("footer"), _',
        '            vbExclamation, MplanCheckText("title")',
        "    End If",
        "done:",
        "    #End If",
        "End Function",
        "",
        "Private Function MplanAskPython() As String",
        "    ' The interpreter xlwings would start (xlwings.conf sheet or file, else python on the PATH), run hidden;",
        "    ' its output goes to a temporary file, read back and deleted.",
        "    Dim interpreter As String, tmp As String, command As String",
        '    interpreter = GetConfig("INTERPRETER_WIN", "")',
        '    If interpreter = "" Then interpreter = GetConfig("INTERPRETER", "python")',
        '    interpreter = Replace(Replace(interpreter, "pythonw.exe", "python.exe"), "pythonw", "python")',
        '    tmp = Environ("TEMP") & "\\mplan-xl-check-" & CStr(Int(Timer * 100)) & ".txt"',
        '    command = "cmd.exe /c """ & Chr(34) & interpreter & Chr(34) & " -c " & Chr(34) & '
        + _vba_string(_SELFCHECK_PYTHON) + ' & Chr(34) & " > " & Chr(34) & tmp & Chr(34) & " 2>&1" & Chr(34)',
        '    CreateObject("WScript.Shell").Run command, 0, True',
        "    MplanAskPython = ReadFile(tmp)",
        "    On Error Resume Next",
        "    Kill tmp",
        "End Function",
        "",
        "Private Function MplanCheckText(key As String) As String",
        '    If MplanLanguage() = "en" Then',
        "        Select Case key",
        *_selfcheck_messages("en", "        "),
        "        End Select",
        "    Else",
        "        Select Case key",
        *_selfcheck_messages("fr", "        "),
        "        End Select",
        "    End If",
        "End Function",
        "",
    ]
    return _crlf("\n".join(lines))


def _installed_xlwings_file(relative: str) -> str:
    import xlwings
    return (Path(xlwings.__file__).parent / relative).read_bytes().decode("utf-8")


def runtime_module() -> str:
    """``xlwings.bas`` of the installed (pinned) xlwings, byte for byte."""
    return _installed_xlwings_file("xlwings.bas")


def dictionary_module() -> str:
    """``Dictionary.cls`` of the installed (pinned) xlwings, byte for byte."""
    return _installed_xlwings_file("addin/Dictionary.cls")


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def generated_sources() -> dict[str, str]:
    """File name in ``macros/`` -> the text this version of the code (and of xlwings) generates."""
    texts = {RUNTIME_MODULE: runtime_module, DICTIONARY_MODULE: dictionary_module, WRAPPER_MODULE: wrapper_module,
             REGISTER_MODULE: register_module, SELFCHECK_MODULE: selfcheck_module}
    return {MODULES[name][0]: texts[name]() for name in MODULE_NAMES}


@lru_cache(maxsize=8)
def vba_project(sheet_codenames: tuple[str, ...]) -> bytes:
    """The ``vbaProject.bin`` of a plan workbook whose worksheets have these code names.

    Built once per layout and cached: building compresses ~80 KB of VBA.
    """
    from .vba import VbaModule, build_vba_project

    modules = [VbaModule("ThisWorkbook", THIS_WORKBOOK_CODE, "document")]
    modules += [VbaModule(name, "", "document") for name in sheet_codenames]
    modules += [VbaModule(name, source, kind) for name, source, kind in vba_modules()]
    return build_vba_project(modules)


def write_macros(folder: Path = MACROS_DIR) -> list[Path]:
    """Regenerate ``macros/`` (bytes as generated: VBA's CRLF line endings are kept)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in generated_sources().items():
        path = folder / name
        path.write_bytes(text.encode("utf-8"))
        written.append(path)
    committed_files.cache_clear()
    return written


if __name__ == "__main__":
    for written_path in write_macros(Path(sys.argv[1]) if len(sys.argv) > 1 else MACROS_DIR):
        print(written_path)
