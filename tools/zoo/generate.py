"""Write the generated built-in networks: ``python -m tools.zoo.generate [--check]``.

For each :class:`~tools.zoo.model.ZooModel` of ``tools/zoo/families/``: its YAML file in
``convcalc/zoo/`` (a readable example to copy), the file's snapshot (the parsed data that
``convcalc net NAME`` reads without PyYAML) and its line in ``convcalc/zoo/catalogue.json``
(what ``convcalc zoo`` lists without reading 90 files). ``--check`` writes nothing and
exits 1 if any committed file differs from what would be written (``tests/test_zoo_generated.py``
runs the same check).
"""

from __future__ import annotations

import argparse
import json
import sys
import zlib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ZOO = ROOT / "convcalc" / "zoo"
sys.path.insert(0, str(ROOT))

from tools.zoo.emit import dump  # noqa: E402
from tools.zoo.families import all_models  # noqa: E402
from tools.zoo.model import ZooModel  # noqa: E402

__all__ = ["expected_files", "main"]

#: Networks written by hand (not generated), with their catalogue facts.
HAND_WRITTEN: dict[str, tuple[str, str, str | None]] = {
    "lenet": ("LeNet", "classification", None),
}


def snapshot(text: str) -> str:
    """The snapshot file of a YAML text (see ``convcalc.spec._read_zoo``)."""
    from convcalc.spec import _parse, freeze

    data = {"crc32": zlib.crc32(text.encode("utf-8")), "data": freeze(_parse(text, None))}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


def published_figures(key: str | None) -> dict[str, Any] | None:
    """The published figures of ``key`` in ``convcalc/zoo/published.json``, with their source."""
    if key is None:
        return None
    table = json.loads((ZOO / "published.json").read_text(encoding="utf-8"))
    for group in ("models", "other_models"):
        if key in table[group]:
            entry = table[group][key]
            version = table["source"].split(" (")[0]
            source = entry.get("source") or f"{version}, {entry['weights']}"
            figures = {k: entry[k] for k in ("num_params", "gflops", "flops_g") if k in entry}
            return {"key": key, **figures, "source": source}
    raise KeyError(f"no published figures for {key!r} in published.json")


def catalogue_entry(name: str, family: str, task: str, published: str | None) -> dict[str, Any]:
    import convcalc

    report = convcalc.analyze(ZOO / f"{name}.yaml")
    return {
        "name": name,
        "title": report.name,
        "family": family,
        "task": task,
        "input_shape": list(report.input_shape),
        "outputs": [list(o.output_shape) for o in report.outputs],
        "params": report.totals.params,
        "macs": report.totals.macs,
        "published": published_figures(published),
    }


def expected_files(models: list[ZooModel] | None = None) -> dict[Path, str]:
    """Every generated file and the text it should hold."""
    models = all_models() if models is None else models
    files: dict[Path, str] = {}
    for model in models:
        text = dump(model.data, model.doc)
        files[ZOO / f"{model.name}.yaml"] = text
        files[ZOO / f"{model.name}.json"] = snapshot(text)
    return files


def catalogue(models: list[ZooModel]) -> str:
    entries = [catalogue_entry(name, *facts) for name, facts in HAND_WRITTEN.items()]
    entries += [catalogue_entry(m.name, m.family, m.task, m.published) for m in models]
    return json.dumps({"networks": entries}, indent=1) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 on a difference")
    parser.add_argument("--family", help="only the networks of this family module (no catalogue)")
    args = parser.parse_args(argv)
    if args.family:
        import importlib

        models = importlib.import_module(f"tools.zoo.families.{args.family}").models()
    else:
        models = all_models()
    files = expected_files(models)
    stale = []
    for path, text in files.items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            stale.append(path)
            if not args.check:
                path.write_text(text, encoding="utf-8")
    path = ZOO / "catalogue.json"
    text = "" if args.family else catalogue(models)
    if not args.family and (not path.exists() or path.read_text(encoding="utf-8") != text):
        stale.append(path)
        if not args.check:
            path.write_text(text, encoding="utf-8")
    for path in stale:
        print(f"{'stale' if args.check else 'wrote'} {path.relative_to(ROOT)}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
