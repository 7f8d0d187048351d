"""The monthly results poster: one A4 page for a unit or one of its counters, with the latest month's satisfaction
index, its ballots, the trend of the last months and a QR code (the counter's rating code, or the unit's public
results page). Printed in Vietnamese whatever the staff member's screen language: it hangs at the counter.
"""

from __future__ import annotations

import datetime
import io

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from indices.models import IndexSnapshot
from indices.periods import Period, month
from survey import qrcodes
from survey.models import Counter, Unit

TREND_MONTHS = 6


def _latest_month(level: str, entity_id: int) -> Period | None:
    start = (
        IndexSnapshot.objects.filter(level=level, entity_id=entity_id, period_kind="month", index="overall")
        .order_by("-period_start")
        .values_list("period_start", flat=True)
        .first()
    )
    return month(start.year, start.month) if start else None


def _months(last: Period, count: int) -> list[Period]:
    out = [last]
    while len(out) < count:
        previous = out[0].start - datetime.timedelta(days=1)
        out.insert(0, month(previous.year, previous.month))
    return out


def _figures(level: str, entity_id: int, months: list[Period]) -> dict:
    rows = IndexSnapshot.objects.filter(
        level=level,
        entity_id=entity_id,
        period_kind="month",
        period_start__gte=months[0].start,
        period_start__lte=months[-1].start,
        index__in=("sipas", "overall"),
    )
    return {(s.period_start, s.index): s for s in rows}


def _fmt(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def _draw(pdf: canvas.Canvas, *, unit: Unit, counter: Counter | None, level: str, entity_id: int) -> None:
    width, height = A4
    margin = 50
    text_width = width - 2 * margin
    y = qrcodes.centred_lines(pdf, unit.name, font=qrcodes.FONT_BOLD, size=22, top=height - 70, width=text_width)
    if counter is not None:
        y = qrcodes.centred_lines(pdf, counter.name, font=qrcodes.FONT, size=18, top=y - 4, width=text_width)
    last = _latest_month(level, entity_id)
    if last is None:
        y = qrcodes.centred_lines(
            pdf, _("Chưa có kết quả đánh giá."), font=qrcodes.FONT_BOLD, size=20, top=y - 30, width=text_width
        )
    else:
        months = _months(last, TREND_MONTHS)
        figures = _figures(level, entity_id, months)
        title = _("Kết quả đánh giá sự hài lòng tháng %(month)s") % {"month": f"{last.start:%m/%Y}"}
        y = qrcodes.centred_lines(pdf, title, font=qrcodes.FONT_BOLD, size=20, top=y - 24, width=text_width)
        sipas, overall = figures.get((last.start, "sipas")), figures.get((last.start, "overall"))
        ballots = overall.n if overall else 0
        if sipas and sipas.adequate and sipas.value is not None:
            big = f"{_fmt(sipas.value)}%"
            y = qrcodes.centred_lines(pdf, big, font=qrcodes.FONT_BOLD, size=54, top=y - 50, width=text_width)
            caption = _("Chỉ số hài lòng (SIPAS), khoảng tin cậy 95%%: %(low)s–%(high)s%%") % {
                "low": _fmt(sipas.ci_low) if sipas.ci_low is not None else "?",
                "high": _fmt(sipas.ci_high) if sipas.ci_high is not None else "?",
            }
        else:
            y = qrcodes.centred_lines(
                pdf, _("Chưa đủ mẫu"), font=qrcodes.FONT_BOLD, size=36, top=y - 40, width=text_width
            )
            caption = _("Số phiếu chưa đủ để tính chỉ số hài lòng.")
        y = qrcodes.centred_lines(pdf, caption, font=qrcodes.FONT, size=13, top=y, width=text_width)
        y = qrcodes.centred_lines(
            pdf, _("%(n)s phiếu đánh giá") % {"n": ballots}, font=qrcodes.FONT, size=15, top=y - 2, width=text_width
        )
        y = _draw_trend(pdf, months, figures, top=y - 16)
    # The QR code: a counter's rating address, or the unit's public results.
    if counter is not None:
        url = qrcodes.rating_url(counter.code)
        call = _("Quét mã để đánh giá")
    else:
        url = settings.PUBLIC_BASE_URL + reverse("public:unit", kwargs={"unit_id": unit.pk})
        call = _("Quét mã để xem kết quả chi tiết")
    y = qrcodes.centred_lines(pdf, call, font=qrcodes.FONT_BOLD, size=18, top=y - 10, width=text_width)
    side = 170
    qr_image = qrcodes.build_qr(url, box_size=8).make_image().get_image().convert("L")
    pdf.drawImage(ImageReader(qr_image), (width - side) / 2, y - side + 6, side, side)
    y = y - side - 8
    y = qrcodes.centred_lines(pdf, qrcodes.public_host(), font=qrcodes.FONT_BOLD, size=16, top=y, width=text_width)
    qrcodes.centred_lines(pdf, url, font=qrcodes.FONT, size=10, top=y + 2, width=text_width)
    footer = _("Kết quả đầy đủ và phương pháp tính: %(url)s") % {
        "url": settings.PUBLIC_BASE_URL + reverse("public:province")
    }
    qrcodes.centred_lines(pdf, footer, font=qrcodes.FONT, size=10, top=40, width=text_width)


def _draw_trend(pdf: canvas.Canvas, months: list[Period], figures: dict, *, top: float) -> float:
    """Bars of the monthly index (0-100%), an empty bar with "–" where the sample was not adequate."""
    width = A4[0]
    chart_height, bar_width, gap = 110, 50, 22
    total = len(months) * bar_width + (len(months) - 1) * gap
    left = (width - total) / 2
    base = top - chart_height - 20
    pdf.setFont(qrcodes.FONT, 11)
    pdf.drawCentredString(width / 2, top - 4, _("Xu hướng %(n)s tháng gần nhất (%%)") % {"n": len(months)})
    for i, period in enumerate(months):
        x = left + i * (bar_width + gap)
        s = figures.get((period.start, "sipas"))
        pdf.setStrokeGray(0.6)
        pdf.rect(x, base, bar_width, chart_height, stroke=1, fill=0)
        if s and s.adequate and s.value is not None:
            pdf.setFillGray(0.35)
            pdf.rect(x, base, bar_width, chart_height * max(0.0, min(s.value, 100.0)) / 100, stroke=0, fill=1)
            label = _fmt(s.value)
        else:
            label = "–"
        pdf.setFillGray(0)
        pdf.setFont(qrcodes.FONT, 10)
        pdf.drawCentredString(x + bar_width / 2, base + chart_height + 4, label)
        pdf.drawCentredString(x + bar_width / 2, base - 13, f"{period.start:%m/%Y}")
    return base - 24


def results_poster_pdf(*, unit: Unit, counter: Counter | None = None) -> bytes:
    """The results poster of a counter (its figures and rating QR code) or of a unit (its figures and the QR code
    of its public results page), always in Vietnamese."""
    with translation.override(settings.LANGUAGE_CODE):
        qrcodes.register_fonts()
        buffer = io.BytesIO()
        pdf = canvas.Canvas(buffer, pagesize=A4)
        pdf.setTitle(_("Kết quả đánh giá sự hài lòng"))
        if counter is not None:
            _draw(pdf, unit=unit, counter=counter, level="counter", entity_id=counter.pk)
        else:
            _draw(pdf, unit=unit, counter=None, level="unit", entity_id=unit.pk)
        pdf.showPage()
        pdf.save()
        return buffer.getvalue()
