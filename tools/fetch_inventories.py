"""Download the intersphinx inventories that link example code to API docs.

``make inventories`` runs this where there is a network (hosted builds do it
before ``make html``). It reads ``api_docs`` and ``api_inventories`` from
conf.py, downloads each project's ``objects.inv``, checks that Sphinx can read
it, and saves it as ``<api_inventories>/<name>.inv``. The build itself only
ever reads that folder (``tutorial_site.publishing``).

    python tools/fetch_inventories.py                  # everything in conf.py
    python tools/fetch_inventories.py --dest DIR torch=URL ...   # chosen ones

Exit status 1 if any inventory could not be fetched; the ones that could are
saved all the same.
"""

from __future__ import annotations

import argparse
import runpy
import sys
import urllib.request
from pathlib import Path

from sphinx.util.inventory import InventoryFile

from tutorial_site.publishing import documentation_and_inventory

ROOT = Path(__file__).resolve().parents[1]  # where conf.py is; its paths are relative to it


def fetch(documentation: str, inventory: str, dest: Path, timeout: float = 60) -> int:
    """Download one inventory to ``dest``; return how many objects it lists."""
    with urllib.request.urlopen(inventory, timeout=timeout) as response:
        data = response.read()
    # Refuse anything Sphinx cannot read (an HTML error page, say).
    objects = InventoryFile.loads(data, uri=documentation)
    count = sum(len(entries) for entries in objects.data.values())
    dest.parent.mkdir(parents=True, exist_ok=True)
    scratch = dest.with_suffix(".inv.part")
    scratch.write_bytes(data)
    scratch.replace(dest)
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dest", type=Path, help="cache folder (default: conf.py's api_inventories)")
    parser.add_argument("projects", nargs="*", metavar="NAME=INVENTORY_URL",
                        help="fetch only these (default: every entry of conf.py's api_docs)")
    args = parser.parse_args(argv)

    conf = runpy.run_path(str(ROOT / "conf.py"))
    dest = args.dest or ROOT / conf["api_inventories"]
    if args.projects:
        table = {}
        for item in args.projects:
            name, _, url = item.partition("=")
            table[name] = (url.rsplit("/", 1)[0] + "/", url)
    else:
        table = {name: documentation_and_inventory(entry) for name, entry in conf["api_docs"].items()}

    failed = []
    for name, (documentation, inventory) in table.items():
        try:
            count = fetch(documentation, inventory, dest / f"{name}.inv")
        except Exception as error:  # noqa: BLE001 - report every failure, then go on
            failed.append(name)
            print(f"{name}: could not fetch {inventory}: {error}", file=sys.stderr)
        else:
            print(f"{name}: {count} objects from {inventory}")
    print(f"saved in {dest}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
