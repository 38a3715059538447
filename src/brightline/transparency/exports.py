"""The downloads of a report: CSV (one line per published cell), JSON (the figures) and PDF."""

from __future__ import annotations

import base64
import csv
import io
import json
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from brightline.transparency.charts import flow_charts, report_charts
from brightline.transparency.models import PublishedReport

CSV_HEADER = ("table", "measure", "row", "row_label", "column", "column_label", "count", "shown_as")


def report_csv(figures: dict[str, Any]) -> str:
    """Every cell of every table, margins included ("total"); a suppressed count is empty."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for table in [*figures["tables"], *figures.get("flows", {}).get("tables", [])]:
        columns = [*table["columns"], {"key": "total", "label": "Total"}]
        lines = [*table["rows"], {"key": "total", "label": "Total", **table["totals"]}]
        for line in lines:
            for column, cell in zip(columns, [*line["cells"], line["total"]], strict=True):
                writer.writerow(
                    (
                        table["id"],
                        table["measure"],
                        line["key"],
                        line["label"],
                        column["key"],
                        column["label"],
                        "" if cell["value"] is None else cell["value"],
                        cell["display"],
                    )
                )
    return out.getvalue()


def report_json(figures: dict[str, Any]) -> str:
    """The JSON download: keys sorted, so that the bytes are the same however the database keeps them (the
    publication's ledger entry records their SHA-256)."""
    return json.dumps(figures, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def figures_bytes(report: PublishedReport) -> bytes:
    """The bytes of the `<period>.json` download, whose SHA-256 the publication's ledger entry records."""
    return report_json(report.figures).encode()


def rows_bytes(report: PublishedReport) -> bytes:
    """The bytes of the `<period>.rows.json` download, whose SHA-256 the publication's ledger entry records."""
    return report_json(rows_document(report)).encode()


def publication_document(report: PublishedReport) -> dict[str, Any] | None:
    """The publication's ledger entry, with what checks it from outside: its leaf (`data`, base64), its event
    record (the exact bytes, as text), the checkpoint the report is bound to (its signed note) and the
    entry's inclusion proof in that checkpoint's tree. None for a report published before publications
    were recorded in the ledger."""
    from brightline.ledger.models import LedgerEntry
    from brightline.ledger.selectors import checkpoint_published_text, inclusion_proof

    bound = report.publication_checkpoint
    if report.ledger_index is None or bound is None:
        return None
    entry = LedgerEntry.objects.select_related("record").get(index=report.ledger_index)
    return {
        "period": report.period,
        "index": entry.index,
        "data": base64.b64encode(bytes(entry.data)).decode(),
        "record": bytes(entry.record.canonical).decode(),
        "checkpoint": {
            "size": bound.size,
            "root_hash": bytes(bound.root_hash).hex(),
            "note": checkpoint_published_text(bound),
        },
        "inclusion": [
            base64.b64encode(h).decode() for h in inclusion_proof(index=entry.index, size=bound.size)
        ],
    }


def rows_document(report: PublishedReport) -> dict[str, Any]:
    """The published rows of a report, with the checkpoint and the digest the report names."""
    flows = report.figures.get("flows") or {}
    return {
        "period": report.period,
        "checkpoint": {"size": report.checkpoint_size, "root_hash": report.checkpoint_root_hash},
        "rows_sha256": flows.get("rows_sha256"),
        "smallest_group": flows.get("smallest_group"),
        "sets": report.rows,
    }


def report_print_html(figures: dict[str, Any], *, context: dict[str, Any]) -> str:
    """The HTML the PDF prints: English, whatever the reader's page language (its fonts and `lang` are)."""
    with translation.override("en"):
        return render_to_string(
            "transparency/report_print.html",
            {
                **context,
                "figures": figures,
                "charts": report_charts(figures),
                "flow_charts": flow_charts(figures, context.get("trend", [])),
            },
        )


def report_pdf(figures: dict[str, Any], *, context: dict[str, Any]) -> bytes:
    import weasyprint

    html = report_print_html(figures, context=context)
    # Tagged for screen readers (PDF/UA-1): a structure tree, the language and the title shown.
    return bytes(weasyprint.HTML(string=html).write_pdf(pdf_variant="pdf/ua-1"))
