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

# Each module registers its commands on the group when one of them is asked for (group.COMMAND_MODULES).
from .group import main

__all__ = ["main"]

if __name__ == "__main__":  # pragma: no cover
    main()
