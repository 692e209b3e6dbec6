"""The service report as a head teacher reads it: plain text, a web page with its charts
drawn in inline SVG (no JavaScript, nothing fetched), or an A4 PDF with the same charts
(store.db.pdf).

    from store.service_levels import report, report_files
    found = report.build(report.term_period())
    report_files.text(found)                     # what `fitsdesk report` prints
    Path("report.html").write_text(report_files.html(found))
    Path("report.pdf").write_bytes(report_files.pdf(found))

Every page is made from the same `sections`: headings, lines of words, small tables
and bar charts, so the three say the same thing.
"""

from __future__ import annotations

import html as html_escape
from dataclasses import dataclass, field

from store.db import pdf as pdf_writer

BAR = "#2a7f8f"
LOW = "#c0392b"
GREY = "#888888"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    words: str
    """The value as shown beside the bar ("96%", "393")."""
    marker: float | None = None
    """A target drawn across the bar, on the same scale."""
    low: bool = False


@dataclass(frozen=True)
class Chart:
    title: str
    bars: tuple[Bar, ...]
    low_end: float = 0.0
    high_end: float | None = None


@dataclass
class Section:
    heading: str
    lines: list[str] = field(default_factory=list)
    tables: list[tuple[tuple[str, ...], list[tuple[str, ...]]]] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)


def _pc(value: float | None) -> str:
    return "-" if value is None else f"{value:g}%"


def _hours(value: float | None) -> str:
    return "-" if value is None else f"{value:g} school hours"


def _change(now: float | None, before: float | None, unit: str = " points") -> str:
    if now is None or before is None:
        return ""
    diff = round(now - before, 1)
    if diff == 0:
        return " (the same as last time)"
    return f" ({'up' if diff > 0 else 'down'} {abs(diff):g}{unit} on {before:g})"


def title(found: dict) -> str:
    period = found["period"]
    return f"IT service report: {period['name']}" + (" so far" if period["so_far"] else "")


def sections(found: dict) -> list[Section]:
    """The report's content, in the order of FITS's service report."""
    period, reactive = found["period"], found["reactive"]
    before = reactive.get("previous", {})
    earlier = period["previous"]
    out = []

    summary = Section("Period")
    summary.lines.append(
        f"{period['from']} to {period['to']}"
        + (" (the term is not over: figures are to today)" if period["so_far"] else "")
        + "."
    )
    summary.lines.append(f"Compared with {earlier['name']} ({earlier['from']} to {earlier['to']}).")
    out.append(summary)

    calls = Section("Reactive: calls to the service desk")
    response, resolution = reactive["response"], reactive["resolution"]
    times = reactive["time_to_resolve"]
    calls.lines += [
        f"{reactive['calls']:,} calls logged"
        + (f" ({before['calls']:,} last time)." if "calls" in before else "."),
        f"Answered within target: {_pc(response['percent'])} of {response['timed']:,}"
        + _change(response["percent"], before.get("response_percent"))
        + ".",
        f"Resolved within target: {_pc(resolution['percent'])} of {resolution['timed']:,}"
        + _change(resolution["percent"], before.get("resolution_percent"))
        + ".",
        f"Time to resolve: median {_hours(times['median_hours'])}, mean "
        f"{_hours(times['mean_hours'])} (time on hold left out).",
        f"Open calls: {reactive['backlog']['start']:,} at the start, "
        f"{reactive['backlog']['end']:,} at the end.",
        f"Resolved at first contact: {reactive['first_contact']:,} "
        f"({_pc(reactive['first_contact_percent'])}). Reopened: {reactive['reopened']:,}.",
        f"Callers confirmed the fix on {reactive['confirmations']['confirmed']:,} calls; "
        f"{reactive['confirmations']['closed_unanswered']:,} closed with no answer; "
        f"{reactive['confirmations']['waiting']:,} still waiting for one.",
    ]
    rows = []
    answered = {p["priority"]: p for p in response["by_priority"]}
    fixed = {p["priority"]: p for p in resolution["by_priority"]}
    for entry in reactive["by_priority"]:
        name = entry["priority"]
        rows.append(
            (
                name,
                f"{entry['count']:,}",
                _pc(answered.get(name, {}).get("percent")),
                _pc(fixed.get(name, {}).get("percent")),
            )
        )
    calls.tables.append((("Priority", "Calls", "Answered in target", "Resolved in target"), rows))
    calls.charts.append(
        Chart(
            "Calls by kind of fault",
            tuple(
                Bar(c["label"], c["count"], f"{c['count']:,}") for c in reactive["by_category"][:10]
            ),
        )
    )
    calls.charts.append(
        Chart(
            "Calls by how they came in",
            tuple(
                Bar(c["channel"].capitalize(), c["count"], f"{c['count']:,}")
                for c in reactive["by_channel"]
            ),
        )
    )
    calls.charts.append(
        Chart(
            "Resolved within target, by priority (red: under 90%)",
            tuple(
                Bar(
                    p["priority"],
                    p["percent"] or 0,
                    _pc(p["percent"]),
                    low=(p["percent"] or 0) < 90,
                )
                for p in resolution["by_priority"]
            ),
            high_end=100,
        )
    )
    out.append(calls)

    pro = found["proactive"]
    ahead = Section("Proactive: preventing calls")
    ahead.lines += [
        f"Problems opened {pro['problems_opened']}, resolved {pro['problems_resolved']}; "
        f"known errors published {pro['known_errors_published']}.",
        f"Repeat incidents (calls linked to a problem): {pro['repeat_incidents']:,}.",
        f"Found by technicians (logged at the desk): {pro['found_by_technicians']:,} "
        f"({_pc(pro['found_by_technicians_percent'])}); reported by users: "
        f"{pro['reported_by_users']:,}.",
    ]
    for need in pro["capacity_needing_action"]:
        when = f", full by about {need['full_at']}" if need["full_at"] else ""
        ahead.lines.append(
            f"Capacity needs action: {need['metric']} at {need['latest'] or 0:,.0f} of "
            f"{need['capacity']:,.0f} {need['unit']}{when}."
        )
    if not pro["capacity_needing_action"]:
        ahead.lines.append("No capacity forecast needs action.")
    out.append(ahead)

    moved = found["changes"]
    change = Section("Changes")
    kinds = moved["by_kind"]
    outcome = moved["outcomes"]
    change.lines += [
        f"{moved['total']} changes carried out: {kinds['standard']} standard, "
        f"{kinds['normal']} normal, {kinds['emergency']} emergency.",
        f"Succeeded {outcome['succeeded']}, failed {outcome['failed']}, backed out "
        f"{outcome['backed_out']}, not yet reviewed {outcome['not_reviewed']}"
        + (f" ({_pc(moved['succeeded_percent'])} of those reviewed succeeded)." if
           moved["succeeded_percent"] is not None else "."),
    ]  # fmt: skip
    out.append(change)

    up = Section("Availability of each service")
    up.lines.append(
        "Availability is the share of agreed hours (school hours, or every hour for a "
        "service covered always) the service was up; planned work is not an outage."
    )
    up.tables.append(
        (
            ("Service", "Target", "Available", "Outages", "Down (min)", "Planned (min)", "MTRS"),
            [
                (
                    s["service"],
                    _pc(s["target"]),
                    _pc(s["percent"]),
                    str(s["outages"]),
                    str(s["unplanned_minutes"]),
                    str(s["planned_minutes"]),
                    "-" if s["mtrs_minutes"] is None else f"{s['mtrs_minutes']} min",
                )
                for s in found["availability"]
            ],
        )
    )
    lowest = min([s["percent"] for s in found["availability"] if s["percent"] is not None] + [99])
    up.charts.append(
        Chart(
            "Availability (the black line: its target; red: below it)",
            tuple(
                Bar(
                    s["service"],
                    s["percent"] or 0,
                    _pc(s["percent"]),
                    marker=s["target"],
                    low=s["met"] is False,
                )
                for s in found["availability"]
            ),
            low_end=float(int(min(lowest, 98) - 1)),
            high_end=100,
        )
    )
    out.append(up)
    if "finance" in found:
        out.append(_finance(found["finance"]))
    if "continuity" in found:
        out.append(_continuity(found["continuity"]))
    return out


def _money(pence: int | None) -> str:
    return "-" if pence is None else f"£{pence / 100:,.2f}"


def _finance(money: dict) -> Section:
    """What IT cost in the period, against the year's budget (store.finance.report)."""
    part = Section("Finance")
    part.lines.append(
        f"{_money(money['spent_pence'])} spent on IT from {money['from']} to {money['to']}."
    )
    rows = [
        (
            line["category"].capitalize(),
            _money(line["spent_pence"]),
            _money(line["year_spent_pence"]),
            _money(line["budget_pence"]),
            _pc(line["percent_of_budget"]),
        )
        for line in money["by_category"]
    ]
    if rows:
        part.tables.append(
            (("Category", "This period", f"Year {money['year']}", "Budget", "Used"), rows)
        )
        part.charts.append(
            Chart(
                f"Budget used in {money['year']} (the line: the budget; red: over it)",
                tuple(
                    Bar(
                        line["category"].capitalize(),
                        line["percent_of_budget"] or 0,
                        _pc(line["percent_of_budget"]),
                        marker=100,
                        low=(line["percent_of_budget"] or 0) > 100,
                    )
                    for line in money["by_category"]
                    if line["budget_pence"]
                ),
                high_end=max(
                    [100.0] + [line["percent_of_budget"] or 0 for line in money["by_category"]]
                ),
            )
        )
    for renewal in money["renewals"]:
        how = "renews itself" if renewal["auto_renew"] else "needs ordering"
        part.lines.append(
            f"Licence renewal coming: {renewal['title']} on {renewal['renews_on']} ({how}, "
            f"{_money(renewal['cost_pence'])})."
        )
    return part


def _continuity(plans: dict) -> Section:
    """Whether each service could be recovered (store.continuity.plans)."""
    part = Section("Continuity")
    part.lines.append(
        f"{plans['plans']} of {plans['services']} services have a continuity plan"
        + (f"; none yet for {', '.join(plans['without_plan'])}." if plans["without_plan"] else ".")
    )
    part.lines.append(
        f"Plans tested in the period: {plans['tests']} ({plans['passed']} passed, "
        f"{plans['failed']} failed)."
    )
    if plans["overdue"]:
        part.lines.append(f"Tests overdue: {', '.join(plans['overdue'])}.")
    if plans["failing_321"]:
        part.lines.append(
            "Short of three copies on two devices with one off site: "
            f"{', '.join(plans['failing_321'])}."
        )
    rows = [
        (r["service"], r["tested_on"] or "never", r["result"] or "-") for r in plans["last_results"]
    ]
    if rows:
        part.tables.append((("Service", "Last tested", "Result"), rows))
    return part


def text(found: dict) -> str:
    """The report as plain lines for a terminal."""
    return as_text(title(found), sections(found))


def as_text(heading: str, parts: list[Section]) -> str:
    """Any page of sections (the report, the budget plan) as plain lines."""
    lines = [heading, ""]
    for section in parts:
        lines.append(section.heading)
        lines += [f"  {line}" for line in section.lines]
        for headers, rows in section.tables:
            widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
                      for i, h in enumerate(headers)]  # fmt: skip
            head = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
            lines.append(f"  {head}".rstrip())
            for row in rows:
                lines.append(
                    "  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
                )
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _scale(chart: Chart, value: float, room: float) -> float:
    top = chart.high_end if chart.high_end is not None else max([b.value for b in chart.bars] + [1])
    span = max(top - chart.low_end, 1e-9)
    return max(0.0, min(1.0, (value - chart.low_end) / span)) * room


def svg(chart: Chart) -> str:
    """A horizontal bar chart as inline SVG."""
    row, label_w, bar_w, value_w = 22, 190, 300, 60
    height = 28 + row * len(chart.bars)
    width = label_w + bar_w + value_w
    e = html_escape.escape
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{e(chart.title)}" '
        'font-family="Arial, Helvetica, sans-serif">',
        f'<text x="0" y="16" font-weight="bold" font-size="14">{e(chart.title)}</text>',
    ]
    for n, bar in enumerate(chart.bars):
        y = 28 + n * row
        length = _scale(chart, bar.value, bar_w)
        colour = LOW if bar.low else BAR
        parts.append(f'<text x="0" y="{y + 14}" font-size="12">{e(bar.label[:32])}</text>')
        parts.append(
            f'<rect x="{label_w}" y="{y + 3}" width="{length:.1f}" height="14" fill="{colour}"/>'
        )
        if bar.marker is not None:
            x = label_w + _scale(chart, bar.marker, bar_w)
            parts.append(
                f'<line x1="{x:.1f}" y1="{y}" x2="{x:.1f}" y2="{y + 20}" stroke="#222" '
                'stroke-width="2"/>'
            )
        parts.append(
            f'<text x="{label_w + bar_w + 6}" y="{y + 14}" font-size="12">{e(bar.words)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


STYLE = """
body { font-family: Arial, Helvetica, sans-serif; max-width: 60em; margin: 2em auto;
       color: #222; line-height: 1.4; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.2em; border-bottom: 2px solid #2a7f8f; margin-top: 1.6em; }
table { border-collapse: collapse; margin: 0.8em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; }
th { background: #eef5f6; }
.charts svg { display: block; margin: 1em 0; }
@media print { h2 { page-break-after: avoid; } svg { page-break-inside: avoid; } }
"""


def html(found: dict) -> str:
    """The report as one web page, charts inline: open it in any browser, or print it."""
    return as_html(title(found), sections(found))


def as_html(heading: str, parts: list[Section]) -> str:
    """Any page of sections as one web page, its charts inline SVG."""
    e = html_escape.escape
    out = [
        "<!DOCTYPE html>",
        '<html lang="en-GB"><head><meta charset="utf-8">',
        f"<title>{e(heading)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{e(heading)}</h1>",
    ]
    for section in parts:
        out.append(f"<h2>{e(section.heading)}</h2>")
        out += [f"<p>{e(line)}</p>" for line in section.lines]
        for headers, rows in section.tables:
            out.append("<table><tr>" + "".join(f"<th>{e(h)}</th>" for h in headers) + "</tr>")
            out += ["<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in rows]
            out.append("</table>")
        if section.charts:
            out.append('<div class="charts">' + "".join(svg(c) for c in section.charts) + "</div>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


class _Pages:
    """A cursor down A4 pages of PDF operators."""

    MARGIN = 50.0

    def __init__(self) -> None:
        self.width, self.height = pdf_writer.A4
        self.pages: list[list[str]] = [[]]
        self.y = self.height - self.MARGIN

    def room(self, needed: float) -> None:
        if self.y - needed < self.MARGIN:
            self.pages.append([])
            self.y = self.height - self.MARGIN

    def line(self, words: str, *, size: float = 10, bold: bool = False, indent: float = 0) -> None:
        wrap = int((self.width - 2 * self.MARGIN - indent) / (size * 0.5))
        for piece in _wrap(words, wrap):
            self.room(size * 1.4)
            self.y -= size * 1.4
            self.pages[-1].append(
                pdf_writer.text_op(
                    "F1" if bold else "F2", size, self.MARGIN + indent, self.y, piece
                )
            )

    def gap(self, points: float = 6) -> None:
        self.y -= points

    def chart(self, chart: Chart) -> None:
        row, label_w, bar_w = 16.0, 150.0, 260.0
        self.room(24 + row * len(chart.bars))
        self.line(chart.title, size=10, bold=True)
        self.gap(4)
        ops = self.pages[-1]
        for bar in chart.bars:
            self.y -= row
            x0 = self.MARGIN + label_w
            ops.append(pdf_writer.text_op("F2", 8.5, self.MARGIN, self.y + 3, bar.label[:30]))
            colour = _rgb(LOW if bar.low else BAR)
            length = _scale(chart, bar.value, bar_w)
            ops.append(f"{colour} rg {x0:.2f} {self.y + 1:.2f} {length:.2f} 10 re f 0 g")
            if bar.marker is not None:
                x = x0 + _scale(chart, bar.marker, bar_w)
                ops.append(f"1.5 w {x:.2f} {self.y - 1:.2f} m {x:.2f} {self.y + 13:.2f} l S")
            ops.append(pdf_writer.text_op("F2", 8.5, x0 + bar_w + 6, self.y + 3, bar.words))
        self.gap(10)

    def table(self, headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
        widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
                  for i, h in enumerate(headers)]  # fmt: skip
        scale = min(1.0, (self.width - 2 * self.MARGIN) / (sum(widths) * 4.6 + 8 * len(widths)))
        xs, x = [], self.MARGIN
        for w in widths:
            xs.append(x)
            x += (w * 4.6 + 8) * scale
        for n, cells in enumerate([headers, *rows]):
            self.room(13)
            self.y -= 13
            for cell, at in zip(cells, xs, strict=True):
                self.pages[-1].append(
                    pdf_writer.text_op("F1" if n == 0 else "F2", 8.5 * scale, at, self.y, cell)
                )
        self.gap(8)


def _wrap(words: str, width: int) -> list[str]:
    lines, current = [], ""
    for word in words.split(" "):
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    return [*lines, current]


def _rgb(colour: str) -> str:
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return f"{r:.3f} {g:.3f} {b:.3f}"


def pdf(found: dict) -> bytes:
    """The report as an A4 PDF, charts drawn on the page."""
    return as_pdf(title(found), sections(found))


def as_pdf(heading: str, parts: list[Section]) -> bytes:
    """Any page of sections as an A4 PDF, charts drawn on the page."""
    pages = _Pages()
    pages.line(heading, size=16, bold=True)
    pages.gap(6)
    for section in parts:
        pages.room(60)
        pages.gap(8)
        pages.line(section.heading, size=12.5, bold=True)
        pages.gap(2)
        for line in section.lines:
            pages.line(line)
        pages.gap(4)
        for headers, rows in section.tables:
            pages.table(headers, rows)
        for chart in section.charts:
            pages.chart(chart)
    return pdf_writer.document(
        ["\n".join(ops).encode("cp1252", "replace") for ops in pages.pages],
        width=pages.width,
        height=pages.height,
    )
