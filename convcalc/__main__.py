"""``python -m convcalc``: the command line."""

from convcalc.cli import main

if __name__ == "__main__":
    main()
