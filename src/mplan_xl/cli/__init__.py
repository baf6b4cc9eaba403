"""The command line ``mplan-xl``: the group and its shared options (``group``), one module per command group
(``plan_commands``, ``check_command``, ``year_commands``, ``portfolio_commands``), ``main`` that registers them,
their help (``cli_help``) and how errors reach the user (``cli_errors``). ``python -m mplan_xl.cli`` runs it too.

May import: every other subpackage; nothing imports it.
"""

from .main import main

__all__ = ["main"]
