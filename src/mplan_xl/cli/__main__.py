"""``python -m mplan_xl.cli``: the command line ``mplan-xl``."""

from .main import main

if __name__ == "__main__":
    main()
