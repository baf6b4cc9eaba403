"""The ``mplan-xl`` command line.

click gives us subcommands, typed options and the usage-error exit code 2 for
free. Every error we raise ourselves is a :class:`~mplan_xl.core.errors.MplanError`
printed as one line in the language of ``--lang`` (French by default); any
other failure is still reported in one line, never as a traceback.

Example:
    $ mplan-xl new plan-2027.xlsx --company "Atelier Lumen" --year 2027
    $ mplan-xl demo demo.xlsx --lang en
"""

from __future__ import annotations

# Each module registers its commands on the group (import for the side effect).
from . import (check_command, plan_commands, portfolio_commands, repair_command,  # noqa: F401
               results_command, year_commands)
from .group import main

__all__ = ["main"]

if __name__ == "__main__":  # pragma: no cover
    main()
