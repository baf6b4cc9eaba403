"""The command line ``mplan-xl``: the commands (``main``), their help (``cli_help``) and how errors reach the
user (``cli_errors``). ``python -m mplan_xl.cli`` runs it too.

May import: every other subpackage; nothing imports it.
"""

from .main import main

__all__ = ["main"]
