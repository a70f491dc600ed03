"""``qmsgraph audit --since DAY``: what changed since an earlier audit (text, JSON, markdown,
CSV)."""

from __future__ import annotations

import csv
import json
import sys
from typing import Any

from .common import console


def print_changes(ch: dict[str, Any], fmt: str) -> None:
    from ..alignment.history import CHANGE_KEYS, WORDS, count, describe
    from ..io.safe import csv_row
    from ..io.safe import for_terminal as tty

    if fmt == "json":
        sys.stdout.write(json.dumps(ch, indent=2) + "\n")
        return
    if fmt == "csv":
        w = csv.writer(sys.stdout)
        w.writerow(["change", "node", "label", "detail"])
        for key in CHANGE_KEYS:
            for item in ch[key]:
                w.writerow(csv_row([key, item["node"], item.get("label", ""),
                                    describe(key, item)]))
        return
    head = (f"Changes since {ch['since']} (compared with the audit recorded on "
            f"{ch['baseline']}): {count(ch)}")
    if fmt == "markdown":
        lines = [f"# {head}", ""]
        for key in CHANGE_KEYS:
            if ch[key]:
                lines += [f"## {WORDS[key]} ({len(ch[key])})", ""]
                lines += [f"- `{item['node']}` {describe(key, item).replace('|', '/')}"
                          for item in ch[key]]
                lines.append("")
        sys.stdout.write("\n".join(lines) + "\n")
        return
    console.print(f"[bold]{tty(head)}[/]", highlight=False)
    for key in CHANGE_KEYS:
        if not ch[key]:
            continue
        console.print(f"\n[bold]{WORDS[key]}[/] ({len(ch[key])})", highlight=False)
        for item in ch[key]:
            console.print(f"  {tty(item['node'])}  {tty(describe(key, item))}",
                          highlight=False, soft_wrap=True)
    if not count(ch):
        console.print("Nothing changed.")
