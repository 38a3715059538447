"""Checking a published report from what it publishes: `brightline report verify`.

`figures_problems(figures, rows)` needs nothing but the two downloads (`<period>.json` and
`<period>.rows.json`): it checks that the rows are the ones the report names (their SHA-256), that they
are generalized as the method says (no published combination shared by fewer than 10 rows; from method 5
on each combination published once with its count, which the recount weighs), that no
published count is from 1 to 9, and counts the whole report again from them (method 4 on): every table,
its title, sentences, headings, line and column labels, every cell with what it displays and whether it
is suppressed, the totals, the shares and the time to decision. `publication_problems` checks the ledger
entry the publication appended: that the figures and rows hash to what it records, and that it is in the
tree of the checkpoint the report is bound to. `checkpoint_problems(figures)` checks, against this
district's ledger, that a checkpoint was signed with the log's key and that its root hash is the root of
the ledger's first `size` entries.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections import Counter
from typing import Any

from brightline.transparency.flows import (
    ROW_SETS,
    SMALLEST_GROUP,
    WITHHELD,
    day_range,
    figures_from_rows,
    flow_tables,
    rows_digest,
)
from brightline.transparency.periods import Period
from brightline.transparency.tallies import counted_rows

# Everything of a table but its lines and columns, compared as published.
TABLE_FIELDS = (
    "title",
    "shows",
    "cannot_show",
    "measure",
    "rows_from",
    "rows_published",
    "row_heading",
    "row_attribute",
    "column_attribute",
    "only",
)
MAX_PROBLEMS_PER_TABLE = 20
METHOD_3_SETS = ("requests", "items", "incidents", "emergencies", "after_the_fact")
# From method 5 on, each set's rows are counted: `[value, …, count]`, each combination once.
COUNTED_ROWS_METHOD = 5


def _cells(table: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for line in [*table["rows"], {"key": "total", **table["totals"]}]:
        keys = [column["key"] for column in table["columns"]]
        for column, cell in zip([*keys, "total"], [*line["cells"], line["total"]], strict=True):
            found.append((str(line["key"]), str(column), cell))
    return found


def _shown(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def table_problems(mine: dict[str, Any], theirs: dict[str, Any]) -> list[str]:
    """How the published table `theirs` differs from the one counted from the rows, `mine`."""
    name = f"table {mine['id']}"
    problems = [
        f"{name}: its {field.replace('_', ' ')} is published as {_shown(theirs.get(field))}, "
        f"the rows give {_shown(mine.get(field))}"
        for field in TABLE_FIELDS
        if field in mine and theirs.get(field) != mine[field]
    ]
    for what, ours, published in (
        ("column", mine["columns"], theirs.get("columns", [])),
        (
            "line",
            [{"key": r["key"], "label": r["label"]} for r in mine["rows"]],
            [{"key": r.get("key"), "label": r.get("label")} for r in theirs.get("rows", [])],
        ),
    ):
        if [c["key"] for c in ours] != [c.get("key") for c in published]:
            problems.append(
                f"{name}: its {what}s are published as {_shown([c.get('key') for c in published])}, "
                f"the rows give {_shown([c['key'] for c in ours])}"
            )
            return problems
        for a, b in zip(ours, published, strict=True):
            if a["label"] != b.get("label"):
                problems.append(
                    f"{name}, {what} {a['key']}: its label is published as {_shown(b.get('label'))}, "
                    f"the rows give {_shown(a['label'])}"
                )
    try:
        published_cells = _cells(theirs)
    except (KeyError, TypeError, ValueError):
        return [*problems, f"{name}: its cells cannot be read"]
    for (line, column, cell), (_, _, shown) in zip(_cells(mine), published_cells, strict=True):
        if cell != shown:
            problems.append(
                f"{name}, line {line}, column {column}: published {_shown(shown.get('display'))} "
                f"({_shown(shown.get('value'))}, suppressed {_shown(shown.get('suppressed'))}), "
                f"the rows give {_shown(cell['display'])}"
                + (f" (suppressed: {cell['suppressed']})" if cell["suppressed"] else "")
            )
        if len(problems) >= MAX_PROBLEMS_PER_TABLE:
            break
    return problems


def _tables_problems(kind: str, ours: list[dict[str, Any]], published: list[dict[str, Any]]) -> list[str]:
    mine = {table["id"]: table for table in ours}
    theirs = {table.get("id"): table for table in published}
    problems = []
    if [t["id"] for t in ours] != [t.get("id") for t in published]:
        problems.append(
            f"{kind}: published {_shown([t.get('id') for t in published])}, the rows give "
            f"{_shown([t['id'] for t in ours])}"
        )
    for table_id in mine:
        if table_id in theirs:
            problems += table_problems(mine[table_id], theirs[table_id])
    return problems


def small_counts(figures: dict[str, Any]) -> list[str]:
    """Published counts from 1 to 9: the small-cell rule says none is ever shown."""
    problems = []
    for table in [*figures.get("tables", []), *figures.get("flows", {}).get("tables", [])]:
        for line, column, cell in _cells(table):
            value = cell.get("value")
            if isinstance(value, int) and 0 < value < SMALLEST_GROUP:
                problems.append(
                    f"table {table.get('id')}, line {line}, column {column}: shows {value}, under 10"
                )
    return problems


def _row_shape_problems(name: str, order: tuple[str, ...], rows: Any, counted: bool) -> list[str]:
    """Whether each published row is what the method publishes: `[value, …, count]` with a count that is a
    whole number (method 5), or one object of the set's attributes per record (methods 3 and 4)."""
    if not isinstance(rows, list):
        return [f"rows {name}: not a list of rows"]
    for row in rows:
        if counted:
            if not (
                isinstance(row, list)
                and len(row) == len(order) + 1
                and all(isinstance(value, str) for value in row[:-1])
                and isinstance(row[-1], int)
                and not isinstance(row[-1], bool)
                and row[-1] > 0
            ):
                return [f"rows {name}: a row that is not {len(order)} values and a count"]
        elif not (isinstance(row, dict) and set(row) == set(order)):
            return [f"rows {name}: a row that is not one record's {', '.join(order)}"]
    return []


def rows_problems(
    sets: dict[str, Any], names: tuple[str, ...] = tuple(ROW_SETS), *, counted: bool = False
) -> list[str]:
    """Whether the published rows are generalized as the method says: every combination shared by at least
    10 records (counted rows: each combination once, its count at least 10)."""
    problems = []
    for name in names:
        order = ROW_SETS[name]
        row_set = sets.get(name)
        if row_set is None:
            problems.append(f"rows {name}: missing")
            continue
        shape = _row_shape_problems(name, order, row_set.get("rows"), counted)
        if shape:
            problems += shape
            continue
        if counted and len({tuple(row[:-1]) for row in row_set["rows"]}) != len(row_set["rows"]):
            problems.append(f"rows {name}: a combination published twice")
        combinations = Counter({tuple(values[a] for a in order): n for values, n in counted_rows(row_set)})
        rare = [c for c, n in combinations.items() if n < SMALLEST_GROUP]
        if rare:
            problems.append(f"rows {name}: {len(rare)} combination(s) shared by fewer than 10 rows")
        full = tuple(WITHHELD for _ in order)
        if 0 < combinations[full] < SMALLEST_GROUP:
            problems.append(f"rows {name}: fewer than 10 rows withheld in full")
        if name == "decision_days":
            try:
                [day_range(label) for (label,) in combinations]
            except ValueError:
                problems.append("rows decision_days: a value that is not a number of days or a range of them")
    return problems


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
    if rows_digest(sets) != flows.get("rows_sha256"):
        problems.append("the rows are not the ones the report names: their SHA-256 differs")
    problems += small_counts(figures)
    if (figures.get("method_version") or 0) < 4:
        # Method 3 published rows for the flow tables only: those are all it can recount.
        problems += rows_problems(sets, METHOD_3_SETS)
        return problems + _tables_problems("the flow tables", flow_tables(sets), flows.get("tables", []))
    shapes = rows_problems(sets, counted=(figures.get("method_version") or 0) >= COUNTED_ROWS_METHOD)
    problems += shapes
    missing = [name for name in ROW_SETS if name not in sets]
    if missing or any("a row that is not" in problem or "not a list" in problem for problem in shapes):
        return problems
    recounted = figures_from_rows(sets)
    problems += _tables_problems("the tables", recounted["tables"], figures.get("tables", []))
    problems += _tables_problems("the flow tables", recounted["flows"]["tables"], flows.get("tables", []))
    for key in ("outcomes", "shares", "time_to_decision"):
        if figures.get(key) != recounted[key]:
            problems.append(
                f"{key.replace('_', ' ')}: published {_shown(figures.get(key))}, the rows give {_shown(recounted[key])}"
            )
    if flows.get("smallest_group") != SMALLEST_GROUP:
        problems.append(f"smallest group: published {flows.get('smallest_group')}, the method says 10")
    try:
        period = Period.parse(str(figures.get("period", {}).get("key")))
    except ValueError:
        problems.append("the report names no period this method knows")
    else:
        expected = {"title": period.title, "start": period.start.isoformat(), "end": period.end.isoformat()}
        published = {key: figures["period"].get(key) for key in expected}
        if published != expected:
            problems.append(f"period: published {_shown(published)}, its key gives {_shown(expected)}")
    return problems


# The publication's ledger entry ---------------------------------------------------------------------------


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: list[bytes]) -> bytes | None:
    """RFC 9162 §2.1.3.2: the root an inclusion proof leads to, None when the proof has the wrong length."""
    if not 0 <= index < size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return None
        if fn % 2 == 1 or fn == sn:
            r = _node(p, r)
            while fn % 2 == 0 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = _node(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def publication_problems(
    publication: dict[str, Any] | None, *, period: str, figures_bytes: bytes, rows_bytes: bytes
) -> list[str]:
    """Whether the publication's ledger entry commits to these figures and rows, and sits in the tree of the
    checkpoint the report is bound to (from the `<period>.publication.json` download alone: the signature
    and the ledger's own copy are `publication_ledger_problems`)."""
    if publication is None:
        return [f"no ledger entry records the publication of {period}"]
    try:
        index = int(publication["index"])
        data = base64.b64decode(publication["data"], validate=True)
        record_bytes = str(publication["record"]).encode()
        checkpoint = publication["checkpoint"]
        size, root = int(checkpoint["size"]), bytes.fromhex(checkpoint["root_hash"])
        proof = [base64.b64decode(h, validate=True) for h in publication["inclusion"]]
        leaf = json.loads(data)
        envelope = json.loads(record_bytes)
        record = envelope["record"]
    except (KeyError, TypeError, ValueError) as error:
        return [f"the publication's ledger entry cannot be read: {error}"]
    problems = []
    if leaf.get("index") != index:
        problems.append(f"ledger entry {index}: its leaf names index {leaf.get('index')}")
    if leaf.get("record_sha256") != sha256_hex(record_bytes):
        problems.append(f"ledger entry {index}: its event record does not hash to the leaf's record_sha256")
    if envelope.get("event_type") != "transparency.report_published":
        problems.append(f"ledger entry {index}: it does not record a report's publication")
    if record.get("period") != period:
        problems.append(
            f"ledger entry {index}: it records the publication of {record.get('period')}, not {period}"
        )
    if record.get("figures_sha256") != sha256_hex(figures_bytes):
        problems.append(
            f"the figures are not the ones ledger entry {index} records: SHA-256 {sha256_hex(figures_bytes)}, "
            f"recorded {record.get('figures_sha256')}"
        )
    if record.get("rows_sha256") != sha256_hex(rows_bytes):
        problems.append(
            f"the rows are not the ones ledger entry {index} records: SHA-256 {sha256_hex(rows_bytes)}, "
            f"recorded {record.get('rows_sha256')}"
        )
    if root_from_inclusion(index, size, _leaf_hash(data), proof) != root:
        problems.append(
            f"ledger entry {index} is not in the tree of the checkpoint of size {size} the report is bound to"
        )
    return problems


def publication_ledger_problems(publication: dict[str, Any]) -> list[str]:
    """Against this district's ledger: the entry is the ledger's own, and the checkpoint is signed and its."""
    from brightline.ledger.models import LedgerEntry

    problems = []
    index = int(publication["index"])
    entry = LedgerEntry.objects.filter(index=index).select_related("record").first()
    if entry is None:
        return [f"the ledger holds no entry {index}"]
    if bytes(entry.data) != base64.b64decode(publication["data"]):
        problems.append(f"ledger entry {index} is not the one the publication names")
    if bytes(entry.record.canonical) != str(publication["record"]).encode():
        problems.append(f"ledger entry {index}: its event record is not the one the publication names")
    checkpoint = publication["checkpoint"]
    problems += checkpoint_problems(
        {"checkpoint": {"size": checkpoint["size"], "root_hash": checkpoint["root_hash"]}}
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
