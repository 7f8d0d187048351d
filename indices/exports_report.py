"""Exports of the province report: Excel (one sheet per table, numbers as numbers), CSV and PDF (A4, DejaVu fonts
so that Vietnamese diacritics are right, with the charts drawn by reportlab.graphics).

Each builder takes a `ProvinceReport` and returns bytes; `progress(percent)` is called as the work advances.
"""

import io
import logging
from collections.abc import Callable

from django.conf import settings
from django.utils.translation import gettext as _

from .aggregation import shown
from .escaping import escape_workbook, pdf_text, spreadsheet_csv_writer
from .models import ReportExport
from .reports import ProvinceReport, UnitRow, vn_number

Progress = Callable[[int], None]
logger = logging.getLogger(__name__)


def _noop(_percent: int) -> None:
    return None


def _r(value: float | None) -> float | None:
    """A figure as it is shown: rounded half up to 2 decimals (aggregation.round_half_up)."""
    return shown(value)


def unit_columns() -> list[str]:
    return [
        _("Mã đơn vị"),
        _("Đơn vị"),
        _("Chỉ số CCHC (%)"),
        _("Xếp loại"),
        _("Hạng CCHC"),
        _("Hài lòng (%)"),
        _("Số phiếu"),
        _("Số câu trả lời (yếu tố ít nhất)"),
        _("KTC 95% – cận dưới"),
        _("KTC 95% – cận trên"),
        _("Hạng hài lòng"),
        _("Điểm tổng hợp"),
        _("Hạng tổng hợp"),
        _("CCHC năm trước (%)"),
        _("Thay đổi CCHC"),
        _("Hài lòng kỳ trước (%)"),
        _("Thay đổi hài lòng"),
        _("Ghi chú"),
    ]


def unit_values(row: UnitRow) -> list:
    return [
        row.code,
        row.name,
        _r(row.cchc),
        row.band_label,
        row.cchc_rank,
        _r(row.satisfaction),
        row.ballots if row.has_satisfaction else None,
        row.n if row.has_satisfaction else None,
        _r(row.ci_low) if row.adequate else None,
        _r(row.ci_high) if row.adequate else None,
        row.satisfaction_rank,
        _r(row.composite),
        row.composite_rank,
        _r(row.cchc_previous),
        _r(row.cchc_change),
        _r(row.satisfaction_previous),
        _r(row.satisfaction_change),
        row.satisfaction_status + (f" ({vn_number(row.satisfaction_raw)})" if row.incomplete else ""),
    ]


def summary_rows(report: ProvinceReport) -> list[list]:
    """One row per group and one for the province: averages and the number of units per band."""
    rows = []
    for group in report.groups:
        rows.append(
            [
                group.name,
                group.units_total,
                _r(group.cchc_average),
                group.cchc_counted,
                _r(group.satisfaction_average),
                group.satisfaction_counted,
                group.ballots,
                group.n,
                _r(group.composite_average),
                _r(group.cchc_change),
                *[count for _band, count in group.band_counts],
            ]
        )
    rows.append(
        [
            _("Toàn tỉnh (trung bình các khối)"),
            report.units_total,
            _r(report.province_cchc),
            report.cchc_counted,
            _r(report.province_satisfaction),
            report.satisfaction_counted,
            report.ballots,
            report.n,
            _r(report.province_composite),
            None,
            *[sum(dict(g.band_counts).get(b, 0) for g in report.groups) for b in report.bands],
        ]
    )
    return rows


def summary_columns(report: ProvinceReport) -> list[str]:
    return [
        _("Khối"),
        _("Số đơn vị"),
        _("Chỉ số CCHC trung bình (%)"),
        _("Số đơn vị tính CCHC"),
        _("Hài lòng trung bình (%)"),
        _("Số đơn vị tính hài lòng"),
        _("Số phiếu"),
        _("Số câu trả lời (yếu tố ít nhất)"),
        _("Điểm tổng hợp"),
        _("Thay đổi CCHC"),
        *[str(b.label) for b in report.bands],
    ]


def _sheet_title(name: str, used: set[str]) -> str:
    title = "".join(c for c in name if c not in "[]:*?/\\").strip()
    if len(title) > 31:
        # Excel limits sheet names to 31 characters: cut at a word boundary.
        title = title[:32].rsplit(" ", 1)[0].rstrip(" ,") if " " in title[:32] else title[:31]
    title = title or "Sheet"
    base, n = title, 2
    while title in used:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(title)
    return title


def build_report_xlsx(report: ProvinceReport, progress: Progress = _noop) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    used: set[str] = set()
    summary = workbook.active
    summary.title = _sheet_title(_("Tổng hợp"), used)
    summary.append([_("Báo cáo chỉ số CCHC và sự hài lòng – %(period)s") % {"period": report.period_label}])
    summary["A1"].font = Font(bold=True, size=13)
    summary.append([])
    summary.append(summary_columns(report))
    for row in summary_rows(report):
        summary.append(row)
    summary.append([])
    for paragraph in [*report.narrative, *report.findings]:
        summary.append([paragraph])
    summary.column_dimensions["A"].width = 48
    for cell in summary[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True)
    progress(30)
    for position, group in enumerate(report.groups, start=1):
        sheet = workbook.create_sheet(_sheet_title(group.name, used))
        sheet.append(unit_columns())
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True)
        for row in group.rows:
            sheet.append(unit_values(row))
        sheet.append([])
        sheet.append(
            [
                "",
                _("Trung bình khối"),
                _r(group.cchc_average),
                group.cchc_k_of_n,
                "",
                _r(group.satisfaction_average),
                group.ballots,
                group.n,
                group.satisfaction_k_of_n,
                "",
                "",
                _r(group.composite_average),
            ]
        )
        for band, count in group.band_counts:
            sheet.append(["", _("Số đơn vị xếp loại %(band)s") % {"band": band.label}, count])
        for column in "CFIJLNOPQ":
            for cell in sheet[column][1:]:
                if isinstance(cell.value, float):
                    cell.number_format = "0.00"
        sheet.column_dimensions["A"].width = 16
        sheet.column_dimensions["B"].width = 44
        sheet.freeze_panes = "C2"
        progress(30 + 60 * position // max(len(report.groups), 1))
    method = workbook.create_sheet(_sheet_title(_("Phương pháp tính"), used))
    for line in method_lines(report.method):
        method.append(line)
    method.column_dimensions["A"].width = 40
    method.column_dimensions["B"].width = 110
    for cell in method["A"]:
        cell.font = Font(bold=True)
    buffer = io.BytesIO()
    escape_workbook(workbook)
    workbook.save(buffer)
    progress(100)
    return buffer.getvalue()


def method_lines(method: dict) -> list[list[str]]:
    """The method statement as (heading, text) lines: the xlsx sheet, the CSV's closing block and the PDF page."""
    bands = "; ".join(
        band["label"] + ("" if band["lower_bound"] is None else f" ≥ {vn_number(band['lower_bound'], trim=True)}%")
        for band in method["bands"]
    )
    questionnaires = "; ".join(f"{q['name']} (v{q['version']})" for q in method["questionnaires"])
    return [
        [_("Phương pháp tính"), method["period"]],
        *[[item["name"], item["formula"]] for item in method["formulas"]],
        [_("Cỡ mẫu tối thiểu"), str(method["minimum_sample"])],
        [_("Cỡ mẫu tối thiểu và đủ mẫu"), method["adequacy"]],
        [_("Số phiếu"), method["counts"]["ballots"]],
        [_("Số câu trả lời"), method["counts"]["answers"]],
        [_("Đơn vị được tính"), method["units_counted"]],
        [
            _("Trọng số"),
            _("CCHC %(cchc)s; hài lòng %(sat)s")
            % {"cchc": method["weights"]["cchc"], "sat": method["weights"]["satisfaction"]},
        ],
        [_("Xếp loại"), bands],
        [_("Mục tiêu hài lòng (%)"), vn_number(method["satisfaction_target"], trim=True)],
        [_("Làm tròn"), method["rounding"]],
        [_("Phiếu khảo sát"), questionnaires or _("Chưa có phiếu khảo sát.")],
        [_("Kênh được tính"), method["channels"]["text"]],
        [_("Số liệu tính đến"), method["data_as_of_text"] or _("Chưa tính lần nào.")],
        [_("Phiên bản công thức"), method["formula_version"]],
        [_("Tài liệu"), method["document"]],
    ]


def build_report_csv(report: ProvinceReport, progress: Progress = _noop) -> bytes:
    """One row per unit with its group (UTF-8 with a BOM so that Excel reads the diacritics right)."""
    buffer = io.StringIO()
    writer = spreadsheet_csv_writer(buffer)
    writer.writerow([_("Khối"), *unit_columns()])
    for group in report.groups:
        for row in group.rows:
            writer.writerow([group.name, *["" if v is None else v for v in unit_values(row)]])
    writer.writerow([])
    writer.writerow(summary_columns(report))
    for row in summary_rows(report):
        writer.writerow(["" if v is None else v for v in row])
    writer.writerow([])
    for line in method_lines(report.method):
        writer.writerow(line)
    progress(100)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# --- PDF --------------------------------------------------------------------------------------------------


def _register_fonts() -> tuple[str, str]:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVuSans", str(settings.FONT_DIR / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(settings.FONT_DIR / "DejaVuSans-Bold.ttf")))
    return "DejaVuSans", "DejaVuSans-Bold"


def _bar_chart(report: ProvinceReport, font: str, width: float):
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors

    data = report.chart_data()["bars"]
    drawing = Drawing(width, 230)
    drawing.add(String(0, 215, data["title"], fontName=font, fontSize=10))
    if not data["values"]:
        return drawing
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 30, 70, width - 40, 135
    chart.data = [data["values"]]
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.valueAxis.labels.fontName = font
    chart.categoryAxis.categoryNames = data["labels"]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 6
    chart.categoryAxis.labels.angle = 60
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.bars.strokeWidth = 0
    for index, colour in enumerate(data["colours"]):
        chart.bars[(0, index)].fillColor = colors.HexColor(colour)
    drawing.add(chart)
    x = width - 60 * len(data["legend"])
    for item in data["legend"]:
        from reportlab.graphics.shapes import Rect

        drawing.add(Rect(x, 217, 8, 8, fillColor=colors.HexColor(item["colour"]), strokeWidth=0))
        drawing.add(String(x + 11, 218, item["label"], fontName=font, fontSize=7))
        x += 60
    return drawing


def _scatter_chart(report: ProvinceReport, font: str, size: float):
    from reportlab.graphics.charts.lineplots import LinePlot
    from reportlab.graphics.shapes import Drawing, Line, String
    from reportlab.graphics.widgets.markers import makeMarker
    from reportlab.lib import colors

    data = report.chart_data()["scatter"]
    drawing = Drawing(size, size)
    drawing.add(String(0, size - 12, data["title"], fontName=font, fontSize=10))
    if not data["points"]:
        drawing.add(String(0, size - 30, _("Chưa có đơn vị nào có đủ hai số liệu."), fontName=font, fontSize=8))
        return drawing
    plot = LinePlot()
    plot.x, plot.y, plot.width, plot.height = 35, 30, size - 50, size - 60
    near = [(p["x"], p["y"]) for p in data["points"] if not p["far"]] or [(0, 0)]
    far = [(p["x"], p["y"]) for p in data["points"] if p["far"]] or [(0, 0)]
    plot.data = [near, far]
    for index, colour in enumerate(["#0b5cad", "#b3261e"]):
        plot.lines[index].strokeColor = None
        plot.lines[index].strokeWidth = 0
        plot.lines[index].symbol = makeMarker("Circle", size=4, fillColor=colors.HexColor(colour))
    for axis in (plot.xValueAxis, plot.yValueAxis):
        axis.valueMin, axis.valueMax, axis.valueStep = 0, 100, 20
        axis.labels.fontName = font
    drawing.add(plot)
    drawing.add(Line(plot.x, plot.y, plot.x + plot.width, plot.y + plot.height, strokeColor=colors.grey))
    drawing.add(String(plot.x + plot.width / 2, 5, data["x"], fontName=font, fontSize=8, textAnchor="middle"))
    for point in data["points"]:
        if point["far"]:
            drawing.add(
                String(
                    plot.x + point["x"] / 100 * plot.width + 4,
                    plot.y + point["y"] / 100 * plot.height,
                    point["label"],
                    fontName=font,
                    fontSize=6,
                )
            )
    return drawing


def _trend_chart(report: ProvinceReport, font: str, width: float):
    from reportlab.graphics.charts.lineplots import LinePlot
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.graphics.widgets.markers import makeMarker
    from reportlab.lib import colors

    trends = report.trends
    drawing = Drawing(width, 220)
    drawing.add(String(0, 205, trends["title"], fontName=font, fontSize=10))
    series = [
        (s["label"], [(year, v) for year, v in zip(trends["years"], s["values"], strict=True) if v is not None])
        for s in trends["series"]
    ]
    series = [(label, points) for label, points in series if points]
    if not series:
        return drawing
    palette = ["#0b5cad", "#1f7a3a", "#b26a00", "#6b3fa0", "#b3261e", "#4a5561"]
    plot = LinePlot()
    plot.x, plot.y, plot.width, plot.height = 35, 25, width * 0.6, 165
    plot.data = [points for _label, points in series]
    plot.xValueAxis.valueMin, plot.xValueAxis.valueMax = trends["years"][0] - 0.5, trends["years"][-1] + 0.5
    plot.xValueAxis.valueSteps = trends["years"]
    plot.xValueAxis.labelTextFormat = "%d"
    plot.yValueAxis.valueMin, plot.yValueAxis.valueMax, plot.yValueAxis.valueStep = 0, 100, 20
    for axis in (plot.xValueAxis, plot.yValueAxis):
        axis.labels.fontName = font
    for index in range(len(series)):
        colour = colors.HexColor(palette[index % len(palette)])
        plot.lines[index].strokeColor = colour
        plot.lines[index].symbol = makeMarker("FilledCircle", size=3, fillColor=colour)
    drawing.add(plot)
    y = 185
    for index, (label, _points) in enumerate(series):
        drawing.add(
            String(
                plot.x + plot.width + 15,
                y,
                "— " + label,
                fontName=font,
                fontSize=7,
                fillColor=colors.HexColor(palette[index % len(palette)]),
            )
        )
        y -= 12
    return drawing


def _pdf_value(value) -> str | int:
    if isinstance(value, float):
        return vn_number(value)
    return "" if value is None else value


def _paragraph(text, style):
    """A reportlab `Paragraph` of plain text: every string (unit and group names, narrative) is escaped, as the
    paragraph parses markup."""
    from reportlab.platypus import Paragraph

    return Paragraph(pdf_text(text), style)


def build_report_pdf(report: ProvinceReport, progress: Progress = _noop) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, SimpleDocTemplate, Spacer, Table, TableStyle

    # Every paragraph of this report is plain text: names and narrative are escaped, never parsed as markup.
    Paragraph = _paragraph

    font, bold = _register_fonts()
    buffer = io.BytesIO()
    page = landscape(A4)
    doc = SimpleDocTemplate(
        buffer,
        pagesize=page,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=_("Báo cáo chỉ số CCHC và sự hài lòng của người dân – %(period)s") % {"period": report.period_label},
    )
    width = page[0] - 24 * mm
    title = ParagraphStyle("title", fontName=bold, fontSize=15, leading=19, spaceAfter=6)
    heading = ParagraphStyle("heading", fontName=bold, fontSize=11.5, leading=15, spaceBefore=8, spaceAfter=4)
    body = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=13, spaceAfter=4)
    cell = ParagraphStyle("cell", fontName=font, fontSize=7.5, leading=9)
    table_style = TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), font),
            ("FONTNAME", (0, 0), (-1, 0), bold),
            ("FONTSIZE", (0, 0), (-1, -1), 7.5),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8edf2")),
            ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#9aa5b1")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ]
    )

    story = [
        Paragraph(
            _("Báo cáo chỉ số CCHC và sự hài lòng của người dân – %(period)s") % {"period": report.period_label}, title
        ),
        Paragraph(_("Nhận xét chung"), heading),
        *[Paragraph(p, body) for p in report.narrative],
        Paragraph(_("Sự hài lòng của người dân"), heading),
        *[Paragraph(p, body) for p in report.findings],
        Paragraph(_("Tổng hợp theo khối"), heading),
    ]
    header = [Paragraph(c, cell) for c in summary_columns(report)]
    rows = [
        [
            Paragraph(str(row[0]), cell),
            row[1],
            *[_pdf_value(v) for v in row[2:]],
        ]
        for row in summary_rows(report)
    ]
    summary = Table([header, *rows], colWidths=[70 * mm] + [(width - 70 * mm) / (len(header) - 1)] * (len(header) - 1))
    summary.setStyle(table_style)
    story.append(summary)
    progress(20)
    story += [PageBreak(), _bar_chart(report, font, width)]
    story += [Spacer(1, 4 * mm), Table([[_scatter_chart(report, font, 250), _trend_chart(report, font, width - 260)]])]
    progress(50)

    columns = [
        _("Đơn vị"),
        _("CCHC (%)"),
        _("Xếp loại"),
        _("Hạng CCHC"),
        _("Hài lòng (%)"),
        _("Số phiếu"),
        _("Số câu trả lời"),
        _("KTC 95%"),
        _("Hạng HL"),
        _("Tổng hợp"),
        _("Hạng TH"),
        _("± CCHC"),
        _("± Hài lòng"),
    ]
    for position, group in enumerate(report.groups, start=1):
        story += [PageBreak(), Paragraph(group.name, heading)]
        data = [[Paragraph(c, cell) for c in columns]]
        for row in group.rows:
            interval = (
                f"{vn_number(row.ci_low)}–{vn_number(row.ci_high)}"
                if row.adequate and row.ci_low is not None and row.ci_high is not None
                else ""
            )
            data.append(
                [
                    Paragraph(row.name, cell),
                    vn_number(row.cchc),
                    row.band_label,
                    row.cchc_rank or "",
                    Paragraph(
                        vn_number(row.satisfaction)
                        if row.satisfaction is not None
                        else row.satisfaction_status
                        + (f" ({vn_number(row.satisfaction_raw)})" if row.incomplete else ""),
                        cell,
                    ),
                    row.ballots if row.has_satisfaction else "",
                    row.n if row.has_satisfaction else "",
                    interval,
                    row.satisfaction_rank or "",
                    vn_number(row.composite),
                    row.composite_rank or "",
                    vn_number(row.cchc_change, sign=True),
                    vn_number(row.satisfaction_change, sign=True),
                ]
            )
        data.append(
            [
                Paragraph(_("Trung bình khối"), cell),
                Paragraph(f"{vn_number(group.cchc_average)} ({group.cchc_k_of_n})", cell),
                "",
                "",
                Paragraph(f"{vn_number(group.satisfaction_average)} ({group.satisfaction_k_of_n})", cell),
                group.ballots,
                group.n,
                "",
                "",
                vn_number(group.composite_average),
                "",
                vn_number(group.cchc_change, sign=True),
                "",
            ]
        )
        counts = ", ".join(f"{band.label}: {count}" for band, count in group.band_counts)
        table = Table(data, colWidths=[64 * mm] + [(width - 64 * mm) / 12] * 12, repeatRows=1)
        table.setStyle(table_style)
        story += [
            table,
            Spacer(1, 2 * mm),
            Paragraph(_("Số đơn vị theo xếp loại: %(counts)s") % {"counts": counts}, body),
        ]
        progress(50 + 40 * position // max(len(report.groups), 1))

    story += [PageBreak(), Paragraph(_("Phương pháp tính"), heading)]
    method = Table(
        [[Paragraph(str(name), cell), Paragraph(str(text), cell)] for name, text in method_lines(report.method)[1:]],
        colWidths=[60 * mm, width - 60 * mm],
    )
    method.setStyle(table_style)
    story.append(method)

    def footer(canvas, document):
        canvas.saveState()
        canvas.setFont(font, 7)
        canvas.drawRightString(page[0] - 12 * mm, 6 * mm, _("Trang %(page)s") % {"page": document.page})
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    progress(100)
    return buffer.getvalue()


BUILDERS = {"xlsx": build_report_xlsx, "csv": build_report_csv, "pdf": build_report_pdf}
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
}


# --- Background generation (services used by the views and the Celery task) -------------------------------


def request_report_export(*, by, year: int, quarter: int | None, file_format: str) -> ReportExport:
    """Record an export request and enqueue its generation once the request's transaction commits."""
    from config.celery import enqueue_on_commit
    from survey.audit import record_audit

    from .tasks import generate_report_export_task

    if file_format not in BUILDERS:
        raise ValueError(file_format)
    export = ReportExport.objects.create(requested_by=by, year=year, quarter=quarter, format=file_format)
    record_audit(
        actor=by,
        action="report.export",
        target=export,
        changes={"year": year, "quarter": quarter, "format": file_format},
    )
    enqueue_on_commit(generate_report_export_task, export.pk)
    return export


def report_file_name(*, year: int, quarter: int | None, file_format: str) -> str:
    """The name a downloaded report file gets: bao-cao-cchc-hai-long-2017.xlsx, ...-2017-quy1.pdf."""
    suffix = f"-quy{quarter}" if quarter else ""
    return f"bao-cao-cchc-hai-long-{year}{suffix}.{file_format}"


def export_report_now(*, by, year: int, quarter: int | None, file_format: str) -> bytes:
    """Build the report file in the calling process and record the export in the audit log (`report.export`, as
    the background export does). For the API, whose callers want the file in the answer: a report of a few hundred
    units builds in about a second (docs/api.md). Raises ValueError for an unknown format."""
    from survey.audit import record_audit

    from .reports import build_province_report

    if file_format not in BUILDERS:
        raise ValueError(file_format)
    content = BUILDERS[file_format](build_province_report(year=year, quarter=quarter))
    record_audit(
        actor=by,
        action="report.export",
        changes={"year": year, "quarter": quarter, "format": file_format, "delivery": "api"},
    )
    return content


def generate_report_export(*, export_id: int) -> ReportExport:
    """Build the file of a pending export, recording progress as it goes; a failure is recorded, not raised."""
    from django.core.files.base import ContentFile
    from django.db import transaction
    from django.utils import timezone

    from .reports import build_province_report

    with transaction.atomic():
        export = ReportExport.objects.select_for_update().get(pk=export_id)
        if export.status != ReportExport.Status.PENDING:
            return export
        export.status, export.progress = ReportExport.Status.RUNNING, 5
        export.save(update_fields=["status", "progress"])

    def progress(percent: int) -> None:
        ReportExport.objects.filter(pk=export_id).update(progress=min(percent, 99))

    try:
        report = build_province_report(year=export.year, quarter=export.quarter)
        content = BUILDERS[export.format](report, progress)
    except Exception as error:  # noqa: BLE001 - any failure is shown to the requester instead of a stuck page
        ReportExport.objects.filter(pk=export_id).update(
            status=ReportExport.Status.FAILED, error=str(error)[:300], finished_at=timezone.now()
        )
        logger.exception("Report export %s failed", export_id)
        return ReportExport.objects.get(pk=export_id)
    suffix = f"-q{export.quarter}" if export.quarter else ""
    export.file.save(f"bao-cao-{export.year}{suffix}-{export.pk}.{export.format}", ContentFile(content), save=False)
    export.status, export.progress, export.finished_at = ReportExport.Status.DONE, 100, timezone.now()
    export.save(update_fields=["file", "status", "progress", "finished_at"])
    return export
