"""``python -m convcalc``: the command line."""

from convcalc.cli import console

if __name__ == "__main__":
    console()
