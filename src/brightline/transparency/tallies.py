"""Counted rows (method 5): each published combination of values once, with how many records share it.

A set of rows is published as `[value, …, count]` lists, one per combination, sorted by the values: the
same multiset as one row per record (method 4), in a size that does not grow with the district. The
database counts each combination (GROUP BY); this module generalizes the counts exactly as the rows of
one per record were generalized, from what each combination needs to be told:

- its number of records (`rows`) and of distinct groups (`groups`: requests, or one per record when a
  record is its own group), both counted by the database;
- for a combination shared by fewer than 10 groups (a *rare* one, the only kind that is ever merged with
  another), either its groups one by one (`members`, when one group can also hold records of other
  combinations, as a request's items do) or how many records each group holds (`sizes`, when every
  record of a group shares the same combination, as a request's named students do: then the groups of
  two combinations are never the same and their counts add up);
- for the last withholding, the groups of a common combination holding the fewest records (`sizes`, or
  asked of the database through `smallest` for the few a withholding takes).

A combination is published when at least 10 distinct groups share it, as before.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

SMALLEST_GROUP = 10
WITHHELD = "withheld"

# (the combination's original values by attribute, how many groups) -> [(group, its records)], fewest first.
Smallest = Callable[[dict[str, str], int], list[tuple[Any, int]]]


@dataclass
class Tally:
    """The records and distinct groups sharing one combination, with what telling them apart needs."""

    rows: int
    groups: int
    members: dict[Any, int] | None = None
    sizes: Counter[int] | None = field(default=None)

    @classmethod
    def of_members(cls, members: Mapping[Any, int]) -> Tally:
        return cls(sum(members.values()), len(members), members=dict(members))

    @classmethod
    def of_sizes(cls, sizes: Mapping[int, int]) -> Tally:
        counted = Counter({size: n for size, n in sizes.items() if n > 0})
        return cls(sum(size * n for size, n in counted.items()), sum(counted.values()), sizes=counted)

    @classmethod
    def single(cls, n: int) -> Tally:
        """n records, each its own group (or one group each: a request's one row)."""
        return cls.of_sizes({1: n})


def merge(a: Tally, b: Tally) -> Tally:
    rows = a.rows + b.rows
    if a.members is not None and b.members is not None:
        members = dict(a.members)
        for group, n in b.members.items():
            members[group] = members.get(group, 0) + n
        return Tally(rows, len(members), members=members)
    if a.sizes is not None and b.sizes is not None:
        return Tally(rows, a.groups + b.groups, sizes=a.sizes + b.sizes)
    # A common combination withheld whole joins (at least 10 groups of its own): its groups may be counted
    # twice, but together they are never fewer than 10.
    return Tally(rows, a.groups + b.groups)


def _fewest(
    tally: Tally, need: int, held: Tally, values: dict[str, str], smallest: Smallest | None
) -> list[tuple[Any, int]] | None:
    """The `need` groups of `tally` not withheld already that hold the fewest records (None: too few)."""
    if tally.sizes is not None:
        picked: list[tuple[Any, int]] = []
        for size in sorted(tally.sizes):
            take = min(tally.sizes[size], need - len(picked))
            picked += [(None, size)] * take
            if len(picked) == need:
                return picked
        return None
    if tally.members is not None:
        candidates = sorted(tally.members.items(), key=lambda member: (member[1], str(member[0])))
    elif smallest is not None:
        candidates = smallest(values, need + held.groups)
    else:
        return None
    fresh = [(group, n) for group, n in candidates if held.members is None or group not in held.members]
    return fresh[:need] if len(fresh) >= need else None


def _taken(tally: Tally, chosen: list[tuple[Any, int]]) -> tuple[Tally, Tally]:
    """(what stays of `tally`, the part withheld) once the groups `chosen` are withheld."""
    rows = sum(n for _, n in chosen)
    if tally.sizes is not None:
        part = Counter(n for _, n in chosen)
        return Tally.of_sizes(tally.sizes - part), Tally.of_sizes(part)
    taken = Tally.of_members(dict(chosen))
    if tally.members is not None:
        rest = {group: n for group, n in tally.members.items() if group not in taken.members}  # type: ignore[operator]
        return Tally.of_members(rest), taken
    return Tally(tally.rows - rows, tally.groups - len(chosen)), taken


def withhold(
    tallies: Mapping[tuple[str, ...], Tally],
    order: Sequence[str],
    smallest: Callable[[tuple[str, ...], int], list[tuple[Any, int]]] | None = None,
) -> dict[tuple[str, ...], Tally]:
    """Withhold values until every combination of `order` is shared by at least 10 groups.

    For each attribute in `order`: the combinations rarer than 10 groups lose that attribute's value
    ("withheld"), and those that become equal are one. Common combinations keep every value (a withheld
    one never joins them). Then, if fewer than 10 groups are withheld in full (but some are), the fewest
    records that make them 10 are withheld in full too: the groups holding the fewest records of a common
    combination that keeps at least 10, or a whole small combination, whichever takes fewer records.
    """
    current = dict(tallies)
    for position, _ in enumerate(order):
        rare = [key for key, tally in current.items() if tally.groups < SMALLEST_GROUP]
        if not rare:
            break
        for key in rare:
            tally = current.pop(key)
            if tally.members is None and tally.sizes is None:
                raise ValueError(f"a rare combination {key} must come with its groups")
            merged = (*key[:position], WITHHELD, *key[position + 1 :])
            current[merged] = merge(current[merged], tally) if merged in current else tally
    full = tuple(WITHHELD for _ in order)
    while full in current and 0 < current[full].groups < SMALLEST_GROUP and len(current) > 1:
        held = current[full]
        need = SMALLEST_GROUP - held.groups
        # Each way to make up the difference, by how many records it withholds: a whole combination, or
        # `need` groups of one that keeps at least 10. A common combination's fewest groups are asked of the
        # database only when no other option can cost less: asking costs a query, and `need` records (one
        # per group) is the least it can cost.
        options: list[tuple[int, tuple[str, ...], bool, list[tuple[Any, int]] | None]] = []
        for key, tally in current.items():
            if key == full:
                continue
            options.append((tally.rows, key, True, None))
            if tally.groups - need >= SMALLEST_GROUP:
                options.append((need, key, False, None))
        while True:
            options.sort(key=lambda option: (option[0], option[1], not option[2]))
            cost, key, exact, chosen = options[0]
            if exact:
                break
            tally = current[key]
            ask: Smallest | None = None
            if smallest is not None:

                def ask(values: dict[str, str], k: int, key: tuple[str, ...] = key) -> list[tuple[Any, int]]:
                    assert smallest is not None
                    return smallest(key, k)

            found = _fewest(tally, need, held, dict(zip(order, key, strict=True)), ask)
            options[0] = (
                (sum(n for _, n in found), key, True, found) if found is not None else (0, key, True, [])
            )
            if found is None:
                options.pop(0)
        if chosen is None:
            current[full] = merge(held, current.pop(key))
        else:
            rest, part = _taken(current[key], chosen)
            current[key] = rest
            current[full] = merge(held, part)
    return {key: tally for key, tally in current.items() if tally.rows > 0}


def generalize(
    tallies: Mapping[tuple[str, ...], Tally],
    order: Sequence[str],
    fixed: Sequence[str] = (),
    smallest: Smallest | None = None,
) -> list[list[Any]]:
    """The counted rows as published: `[value, …, count]` in the order of `order`, sorted.

    Attributes in `fixed` were generalized once for the whole period already (`fixed_values`): they are
    never withheld here, and the rest is generalized within each of their combinations.
    """
    free = [a for a in order if a not in fixed]
    fixed_at = [order.index(a) for a in fixed]
    free_at = [order.index(a) for a in free]
    strata: dict[tuple[str, ...], dict[tuple[str, ...], Tally]] = {}
    for key, tally in tallies.items():
        strata.setdefault(tuple(key[i] for i in fixed_at), {})[tuple(key[i] for i in free_at)] = tally
    published: list[list[Any]] = []
    for stratum, members in strata.items():

        def ask(
            free_key: tuple[str, ...], k: int, stratum: tuple[str, ...] = stratum
        ) -> list[tuple[Any, int]]:
            assert smallest is not None
            values = dict(zip(free, free_key, strict=True)) | dict(zip(fixed, stratum, strict=True))
            return smallest(values, k)

        for free_key, tally in withhold(members, free, ask if smallest is not None else None).items():
            values = dict(zip(free, free_key, strict=True)) | dict(zip(fixed, stratum, strict=True))
            published.append([*(values[a] for a in order), tally.rows])
    return sorted(published, key=lambda row: tuple(str(v) for v in row[:-1]))


def distinct_groups_at_least_10(tallies: Iterable[Tally], disjoint: bool) -> bool:
    """Whether the set's records come from at least 10 distinct groups."""
    found = list(tallies)
    if disjoint or any(t.members is None for t in found):
        # Groups of distinct combinations are distinct, or one combination has 10 on its own.
        return sum(t.groups for t in found) >= SMALLEST_GROUP if disjoint else True
    return len({group for t in found for group in t.members or {}}) >= SMALLEST_GROUP


def fixed_values(counts: Mapping[str, int]) -> tuple[set[str], tuple[str, int] | None]:
    """How one attribute of one record per group (a request's outcome, an entry's kind) is generalized for
    the whole period: (the values withheld, and a value of which `n` groups are withheld too, or None).

    A value shared by fewer than 10 groups is withheld; if then fewer than 10 are withheld (but some are),
    the fewest others that make them 10: `n` of a value keeping at least 10, or a whole small value."""
    kept = {value: n for value, n in counts.items() if n >= SMALLEST_GROUP}
    withheld = {value for value, n in counts.items() if 0 < n < SMALLEST_GROUP}
    held = sum(counts[value] for value in withheld)
    partial: tuple[str, int] | None = None
    while 0 < held < SMALLEST_GROUP and kept:
        need = SMALLEST_GROUP - held
        options = [(n, (value,), False) for value, n in kept.items()]
        options += [(need, (value,), True) for value, n in kept.items() if n - need >= SMALLEST_GROUP]
        n, (value,), part = min(options, key=lambda option: (option[0], option[1]))
        if part:
            partial = (value, need)
            kept[value] -= need
        else:
            withheld.add(value)
            del kept[value]
        held += n
    return withheld, partial


def bin_days(days: Mapping[int, int]) -> list[list[Any]]:
    """Business days to a decision, counted, in ranges of consecutive values shared by at least 10 requests
    ("3" when one value is, "3-5" when it takes three; the last range joins the one before it when it is
    short): the median and 90th percentile are read from them."""
    ranges: list[list[int]] = []  # [low, high, requests]
    for value in sorted(days):
        if not days[value]:
            continue
        if ranges and ranges[-1][2] < SMALLEST_GROUP:
            ranges[-1][1] = value
            ranges[-1][2] += days[value]
        else:
            ranges.append([value, value, days[value]])
    if len(ranges) > 1 and ranges[-1][2] < SMALLEST_GROUP:
        low, high, n = ranges.pop()
        ranges[-1][1] = high
        ranges[-1][2] += n
    return [[str(low) if low == high else f"{low}-{high}", n] for low, high, n in ranges]


def counted_rows(row_set: Mapping[str, Any]) -> list[tuple[dict[str, Any], int]]:
    """(values by attribute, count) of a published set, counted (method 5) or one row per record (methods
    3 and 4, whose identical rows are counted together)."""
    order = list(row_set["attributes"])
    found: dict[tuple[Any, ...], int] = {}
    for row in row_set["rows"]:
        if isinstance(row, dict):
            key, n = tuple(row.get(a) for a in order), 1
        else:
            key, n = tuple(row[: len(order)]), row[len(order)]
        found[key] = found.get(key, 0) + n
    return [(dict(zip(order, key, strict=True)), n) for key, n in found.items()]


def to_counted(row_set: Mapping[str, Any]) -> list[list[Any]]:
    """The rows of a set as counted rows, sorted (for a half-year made of its quarters' rows)."""
    order = list(row_set["attributes"])
    rows = [[*(values[a] for a in order), n] for values, n in counted_rows(row_set)]
    return sorted(rows, key=lambda row: tuple(str(v) for v in row[:-1]))
