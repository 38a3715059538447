"""What the ledger raises; each message is fit to show to the person who caused it."""

from __future__ import annotations


class LedgerError(Exception):
    """A request the ledger cannot honour (a bad range, an unknown witness, a bad signature)."""


class LedgerUsageError(RuntimeError):
    """A programming error in a caller, such as appending outside a transaction."""


class EntryNotYetCheckpointed(LedgerError):
    """The entry exists but no signed checkpoint covers it yet."""
