"""Server-rendered SVG bar charts of published figures, with the geometry computed here and the markup
in templates/transparency/chart.html. A suppressed figure draws no bar: its label says why."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

from brightline.transparency.words import public_words

LABEL_WIDTH = 230
BAR_AREA = 380
VALUE_WIDTH = 120
ROW_HEIGHT = 30
BAR_HEIGHT = 20
TOP = 8


def bar_chart(
    *,
    chart_id: str,
    title: str,
    column: str,
    description: str,
    bars: list[dict[str, Any]],
    measure: str | None = None,
) -> dict[str, Any]:
    """Geometry for a horizontal bar chart; `bars` holds {"label", "cell"} with a published cell."""
    largest = max((bar["cell"]["value"] or 0 for bar in bars), default=0)
    rows = []
    for index, bar in enumerate(bars):
        value = bar["cell"]["value"]
        width = round(BAR_AREA * value / largest) if value and largest else 0
        y = TOP + index * ROW_HEIGHT
        rows.append(
            {
                "label": public_words(bar["label"]),
                "display": public_words(bar["cell"]["display"]),
                "suppressed": bar["cell"]["suppressed"] is not None,
                "y": y,
                "text_y": y + BAR_HEIGHT - 5,
                "width": max(width, 1) if value else 0,
                "value_x": LABEL_WIDTH + max(width, 1) + 6 if value else LABEL_WIDTH + 6,
            }
        )
    return {
        "id": chart_id,
        "title": title,
        "column": column,
        "measure": measure or gettext("Requests"),
        "description": description,
        "rows": rows,
        "label_x": LABEL_WIDTH - 8,
        "bar_x": LABEL_WIDTH,
        "bar_height": BAR_HEIGHT,
        "width": LABEL_WIDTH + BAR_AREA + VALUE_WIDTH,
        "height": TOP * 2 + ROW_HEIGHT * len(rows),
    }


def _describe(title: str, bars: list[dict[str, Any]]) -> str:
    parts = [f"{public_words(bar['label'])}: {public_words(bar['cell']['display'])}" for bar in bars]
    return f"{title}. " + ("; ".join(parts) if parts else gettext("No requests.")) + "."


def report_charts(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """The three charts of a report page: requests by outcome, by requester kind, by legal process, in the
    reader's language."""
    tables = {table["id"]: table for table in figures["tables"]}
    by_kind = tables["requests_by_requester_kind"]
    outcome_bars = [
        {"label": column["label"], "cell": cell}
        for column, cell in zip(by_kind["columns"], by_kind["totals"]["cells"], strict=True)
    ]
    charts = []
    for chart_id, title, column, bars in (
        ("chart-outcomes", gettext("Requests by outcome"), gettext("Outcome"), outcome_bars),
        (
            "chart-requester-kinds",
            gettext("Requests by requester kind"),
            gettext("Requester kind"),
            _nonzero_rows(by_kind),
        ),
        (
            "chart-legal-process",
            gettext("Requests by legal process"),
            gettext("Legal process"),
            _nonzero_rows(tables["requests_by_legal_process"]),
        ),
    ):
        charts.append(
            bar_chart(
                chart_id=chart_id,
                title=title,
                column=column,
                description=_describe(title, bars),
                bars=bars,
            )
        )
    return charts


def _nonzero_rows(table: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"label": row["label"], "cell": row["total"]} for row in table["rows"] if row["total"]["value"] != 0
    ]


def flow_charts(
    figures: dict[str, Any], trend: list[tuple[str, dict[str, Any]]]
) -> dict[str, dict[str, Any]]:
    """Per flow table: a bar chart of its lines' totals and a trend of its grand total across the last
    eight periods of its kind (`trend`: (short period name, figures), oldest first), in the reader's
    language."""
    charts: dict[str, dict[str, Any]] = {}
    for table in figures.get("flows", {}).get("tables", []):
        title = public_words(table["title"])
        bars = [
            {"label": row["label"], "cell": row["total"]}
            for row in table["rows"]
            if row["total"]["value"] != 0
        ]
        points = []
        for name, other in trend:
            found = next(
                (t for t in other.get("flows", {}).get("tables", []) if t["id"] == table["id"]), None
            )
            points.append(
                {
                    "label": name,
                    "cell": found["totals"]["total"]
                    if found
                    else {"value": None, "display": "", "suppressed": None},
                }
            )
        trend_title = gettext("%(title)s: total across periods") % {"title": title}
        charts[table["id"]] = {
            "bars": bar_chart(
                chart_id=f"chart-{table['id']}",
                title=title,
                column=public_words(table["row_heading"]),
                description=_describe(title, bars),
                bars=bars,
                measure=gettext("Count"),
            ),
            "trend": trend_chart(chart_id=f"trend-{table['id']}", title=trend_title, points=points),
        }
    return charts


TREND_WIDTH = 640
TREND_HEIGHT = 200
TREND_TOP = 24
TREND_BOTTOM = 36


def trend_chart(*, chart_id: str, title: str, points: list[dict[str, Any]]) -> dict[str, Any]:
    """Geometry of a column chart of one figure across periods: a column per period; a period without the
    figure (not published then, or suppressed) draws no column and says why under its name."""
    largest = max((point["cell"]["value"] or 0 for point in points), default=0)
    slot = TREND_WIDTH / max(len(points), 1)
    area = TREND_HEIGHT - TREND_TOP - TREND_BOTTOM
    columns = []
    for index, point in enumerate(points):
        value = point["cell"]["value"]
        height = round(area * value / largest) if value and largest else 0
        x = round(index * slot + slot * 0.2)
        display = (
            public_words(point["cell"]["display"]) if point["cell"]["display"] else gettext("not published")
        )
        columns.append(
            {
                "label": point["label"],
                "display": display,
                "x": x,
                "width": round(slot * 0.6),
                "center": round(index * slot + slot / 2),
                "y": TREND_TOP + area - height,
                "height": height,
                "value_y": TREND_TOP + area - height - 6,
                "label_y": TREND_HEIGHT - TREND_BOTTOM + 16,
            }
        )
    parts = [f"{column['label']}: {column['display']}" for column in columns]
    return {
        "id": chart_id,
        "title": title,
        "description": f"{title}. " + "; ".join(parts) + ".",
        "columns": columns,
        "width": TREND_WIDTH,
        "height": TREND_HEIGHT,
        "baseline": TREND_TOP + area,
    }
