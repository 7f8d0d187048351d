"""The method statement: how every figure was computed, in words and numbers, for every output that shows figures.

`method_statement(scheme=..., period_label=...)` returns plain data (JSON-ready, texts in the active language) that
the report page, the dashboard, the xlsx sheet, the PDF page and the API's `method` objects all render, so that
each output states the same method it used. docs/methodology.md is the long form, with worked examples.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from survey.models import Element, Questionnaire, Rating

from . import aggregation
from .cchc import bands_of
from .models import ReportScheme, SnapshotRun

# Every channel's ratings are counted today; per-channel figures would name the channels they keep here.
CHANNELS_COUNTED = "all"


def _number(value) -> float:
    return float(value)


def method_statement(*, scheme: ReportScheme | None = None, period_label: str = "") -> dict:
    """The method behind the figures of a period, under `scheme` (bands, weights, target; the defaults when None).

    Keys: `formulas` (name, formula) pairs, `minimum_sample`, `adequacy`, `counts`, `units_counted`, `weights`,
    `satisfaction_target`, `bands` (code, label, lower bound), `rounding`, `questionnaires` (name and version of
    every questionnaire whose answers are counted), `channels` (`counted`: "all", and their labels), `data_as_of`
    (when the stored figures were last computed, ISO 8601, or None), `period`, `document`.
    """
    from .services import FORMULA_VERSION, minimum_sample

    scheme = scheme or ReportScheme(valid_from_year=timezone.localdate().year)
    minimum = minimum_sample()
    cchc_weight, satisfaction_weight = _number(scheme.cchc_weight), _number(scheme.satisfaction_weight)
    thresholds = {
        "xuat-sac": scheme.excellent_min,
        "tot": scheme.good_min,
        "kha": scheme.fair_min,
        "trung-binh": scheme.average_min,
        "yeu": None,
    }
    run = SnapshotRun.objects.filter(finished_at__isnull=False).order_by("-finished_at").first()
    formulas = [
        {
            "name": _("Tỷ lệ hài lòng của một tiêu chí"),
            "formula": _("100 × số câu trả lời mức 4–5 / số câu trả lời mức 1–5 (“không ý kiến” không tính)"),
        },
        {"name": _("Chỉ số của một yếu tố"), "formula": _("trung bình cộng tỷ lệ hài lòng các tiêu chí của yếu tố")},
        {
            "name": _("Chỉ số hài lòng SIPAS của đơn vị"),
            "formula": _(
                "trung bình cộng chỉ số của 5 yếu tố (%(elements)s); thiếu một yếu tố (chỉ có “không ý kiến”) thì "
                "được đánh dấu “thiếu yếu tố”, không xếp hạng và không tính vào trung bình khối"
            )
            % {"elements": ", ".join(str(label) for label in Element.labels)},
        },
        {
            "name": _("Mức hài lòng của khối"),
            "formula": _(
                "trung bình cộng (không trọng số) chỉ số SIPAS của các đơn vị được tính: đơn vị còn hoạt động vào "
                "ngày cuối kỳ, đủ mẫu và đủ 5 yếu tố; ghi kèm “k/n đơn vị được tính”"
            ),
        },
        {
            "name": _("Mức hài lòng toàn tỉnh"),
            "formula": _("trung bình cộng mức hài lòng của các khối có số liệu (không tính theo số đơn vị)"),
        },
        {
            "name": _("Tỷ lệ hài lòng gộp"),
            "formula": _("tính trên toàn bộ phiếu của khối hoặc toàn tỉnh gộp lại; chỉ để tham khảo bên cạnh"),
        },
        {
            "name": _("Chỉ số CCHC"),
            "formula": _(
                "điểm đạt / điểm tối đa × 100; khối: trung bình các đơn vị có điểm; tỉnh: trung bình các khối"
            ),
        },
        {
            "name": _("Điểm tổng hợp"),
            "formula": _(
                "%(cchc)s × chỉ số CCHC + %(sat)s × mức hài lòng, cùng một cấp: đơn vị, khối (từ chỉ số CCHC "
                "của khối và mức hài lòng của khối) hoặc toàn tỉnh"
            )
            % {"cchc": cchc_weight, "sat": satisfaction_weight},
        },
        {
            "name": _("Tỷ lệ PAKN trả lời đúng hạn"),
            "formula": _(
                "số PAKN trả lời đúng hạn / số PAKN đến hạn trả lời; PAKN không thụ lý không thuộc mẫu số và "
                "được thống kê riêng"
            ),
        },
    ]
    bands = [
        {
            "band": band.value,
            "label": str(band.label),
            "lower_bound": None if thresholds[band.value] is None else _number(thresholds[band.value]),
        }
        for band in bands_of(scheme)
    ]
    return {
        "formula_version": FORMULA_VERSION,
        "period": period_label,
        "formulas": formulas,
        "minimum_sample": minimum,
        "adequacy": _(
            "Đủ mẫu khi số câu trả lời n ≥ N / (1 + N × 0,05²), N là số hồ sơ đã giải quyết trong kỳ (nếu có), "
            "nếu không thì n ≥ %(minimum)s. Với chỉ số SIPAS, n là số câu trả lời (mức 1–5) của yếu tố ít được "
            "trả lời nhất; với tỷ lệ hài lòng chung, n là số phiếu."
        )
        % {"minimum": minimum},
        "counts": {
            "ballots": _("Số phiếu: số người dân đã đánh giá (mỗi phiếu trả lời câu hỏi chung một lần)."),
            "answers": _(
                "Số câu trả lời: số câu trả lời mức 1–5 của yếu tố ít được trả lời nhất (dùng để xét đủ mẫu)."
            ),
        },
        "units_counted": _(
            "“k/n đơn vị”: n là số đơn vị của khối còn hoạt động vào ngày cuối kỳ, k là số đơn vị trong đó có số "
            "liệu được tính (đủ mẫu, đủ yếu tố)."
        ),
        "weights": {"cchc": cchc_weight, "satisfaction": satisfaction_weight},
        "satisfaction_target": _number(scheme.satisfaction_target),
        "bands": bands,
        "rounding": _(
            "Số liệu được tính chính xác và làm tròn nửa lên đến 2 chữ số thập phân khi hiển thị và xuất "
            "(73,125 → 73,13); xếp loại và xếp hạng theo giá trị đã làm tròn. Điểm CCHC có tối đa 2 chữ số thập phân."
        ),
        "questionnaires": [
            {"name": q.display_name, "version": q.version}
            for q in Questionnaire.objects.order_by("family", "version").only("name", "name_en", "version")
        ],
        "channels": {
            "counted": CHANNELS_COUNTED,
            "labels": [str(label) for label in Rating.Channel.labels],
            "text": _("Tất cả các kênh: %(channels)s.")
            % {"channels": ", ".join(str(label) for label in Rating.Channel.labels)},
        },
        "elements": list(aggregation.SIPAS_ELEMENTS),
        "data_as_of": run.finished_at.isoformat() if run else None,
        "data_as_of_text": f"{timezone.localtime(run.finished_at):%d/%m/%Y %H:%M}" if run else "",
        "document": "docs/methodology.md",
    }
