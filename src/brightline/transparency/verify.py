"""Checking a published report from what it publishes: `brightline report verify`.

`figures_problems(figures, rows)` needs nothing but the two downloads (`<period>.json` and
`<period>.rows.json`): it checks that the rows are the ones the report names (their SHA-256), that they
are generalized as the method says (no published combination shared by fewer than 10 rows), and counts
every flow table again from them, cell by cell, suppression included. `checkpoint_problems(figures)`
checks, against this district's ledger, that the checkpoint the report is bound to was signed with the
log's key and that its root hash is the root of the ledger's first `size` entries.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from brightline.transparency.flows import (
    ROW_SETS,
    SMALLEST_GROUP,
    WITHHELD,
    flow_tables,
    rows_digest,
)


def _cells(table: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for line in [*table["rows"], {"key": "total", **table["totals"]}]:
        keys = [column["key"] for column in table["columns"]]
        for column, cell in zip([*keys, "total"], [*line["cells"], line["total"]], strict=True):
            found.append((str(line["key"]), str(column), cell))
    return found


def figures_problems(figures: dict[str, Any], rows: dict[str, Any]) -> list[str]:
    """What does not hold between a report's figures and its published rows ([] when everything does)."""
    flows = figures.get("flows")
    if flows is None:
        return [f"method {figures.get('method_version')}: this report publishes no rows to recompute from"]
    problems: list[str] = []
    sets = rows.get("sets", rows)
    if rows.get("checkpoint") and rows["checkpoint"] != {
        "size": figures["checkpoint"]["size"],
        "root_hash": figures["checkpoint"]["root_hash"],
    }:
        problems.append("the rows name another ledger checkpoint than the report")
    if rows_digest(sets) != flows["rows_sha256"]:
        problems.append("the rows are not the ones the report names: their SHA-256 differs")
    for name, order in ROW_SETS.items():
        row_set = sets.get(name)
        if row_set is None:
            problems.append(f"rows {name}: missing")
            continue
        combinations = Counter(tuple(row.get(a) for a in order) for row in row_set["rows"])
        rare = [c for c, n in combinations.items() if n < SMALLEST_GROUP]
        if rare:
            problems.append(f"rows {name}: {len(rare)} combination(s) shared by fewer than 10 rows")
        full = tuple(WITHHELD for _ in order)
        if 0 < combinations[full] < SMALLEST_GROUP:
            problems.append(f"rows {name}: fewer than 10 rows withheld in full")
    recomputed = {table["id"]: table for table in flow_tables(sets)}
    published = {table["id"]: table for table in flows["tables"]}
    for table_id in sorted(set(recomputed) | set(published)):
        if table_id not in published or table_id not in recomputed:
            problems.append(f"table {table_id}: in one of the report and the recomputation only")
            continue
        mine, theirs = _cells(recomputed[table_id]), _cells(published[table_id])
        if [(r, c) for r, c, _ in mine] != [(r, c) for r, c, _ in theirs]:
            problems.append(f"table {table_id}: its lines or columns differ from the rows'")
            continue
        for (line, column, cell), (_, _, shown) in zip(mine, theirs, strict=True):
            if (cell["value"], cell["suppressed"]) != (shown["value"], shown["suppressed"]):
                problems.append(
                    f"table {table_id}, line {line}, column {column}: published {shown['display']}, "
                    f"the rows give {cell['display']}"
                )
    return problems


def checkpoint_problems(figures: dict[str, Any]) -> list[str]:
    """Whether this district's ledger holds the checkpoint the report is bound to (signature and root)."""
    from brightline.ledger.keys import log_verifier_key
    from brightline.ledger.models import Checkpoint
    from brightline.ledger.notes import NoteError, parse_checkpoint, parse_verifier_key, verify_note_signature
    from brightline.ledger.selectors import ledger_size, tree_root

    size, root = figures["checkpoint"]["size"], figures["checkpoint"]["root_hash"]
    problems = []
    signed = [c for c in Checkpoint.objects.filter(size=size) if bytes(c.root_hash).hex() == root]
    if not signed:
        problems.append(f"no checkpoint of size {size} with root {root} in the ledger")
    else:
        try:
            note = parse_checkpoint(signed[0].note)
            verify_note_signature(note, parse_verifier_key(log_verifier_key()))
        except NoteError as error:
            problems.append(f"the checkpoint's signature does not verify: {error}")
        else:
            if (note.size, note.root.hex()) != (size, root):
                problems.append("the signed note names another size or root than the report")
    if size > ledger_size():
        problems.append(f"the ledger holds fewer than {size} entries")
    elif tree_root(size=size).hex() != root:
        problems.append(f"the root of the ledger's first {size} entries is not {root}")
    return problems
