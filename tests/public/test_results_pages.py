"""The public results: stored figures for every unit with n and interval, "not enough data" below the minimum
sample, k of n units counted, CSV, the method page and bad input."""

import csv
import io

import pytest
from django.urls import reverse

from indices.models import IndexSnapshot, SnapshotRun
from tests import factories

pytestmark = pytest.mark.django_db


def _figure(level, entity_id, period, index="sipas"):
    return IndexSnapshot.objects.get(
        level=level, entity_id=entity_id, period_kind="month", period_start=period.start, index=index
    )


def test_province_page_shows_each_unit_with_index_interval_and_ballots(client, results):
    world, period = results.world, results.period
    sipas = _figure("unit", world.unit_a.pk, period)
    assert sipas.adequate  # 5 ballots >= 4

    page = client.get(reverse("public:province"))

    assert page.status_code == 200
    html = page.content.decode()
    assert f"{sipas.value:.2f}".replace(".", ",") in html
    assert f"{sipas.ci_low:.2f}".replace(".", ",") in html
    assert world.unit_a.name in html and world.unit_b.name in html
    # Unit B has 2 ballots: its figure is withheld, and the group counts 1 unit of 2.
    assert "Chưa đủ mẫu" in html
    assert "1/2 đơn vị đủ mẫu được tính" in html
    assert 'name="description"' in html
    assert reverse("public:method") in html


def test_unit_below_the_minimum_sample_shows_no_number(client, results):
    world, period = results.world, results.period
    b = _figure("unit", world.unit_b.pk, period)
    assert not b.adequate and b.value is not None

    html = client.get(reverse("public:unit", args=[world.unit_b.pk])).content.decode()

    assert "Chưa đủ mẫu" in html
    assert f"{b.value:.2f}".replace(".", ",") + "%" not in html
    assert "n = 2 phiếu đánh giá" in html


def test_unit_page_shows_elements_counters_and_reasons(client, results):
    world, period = results.world, results.period
    # Another low rating of the period: "late" chosen twice, "rude staff" once; a high rating's reasons never count.
    factories.make_rating(counter=world.counter_a, score=1, reasons=["tre-hen"])
    factories.make_rating(counter=world.counter_a, score=5, reasons=["thai-do"])

    html = client.get(reverse("public:unit", args=[world.unit_a.pk]), {"ky": str(period)}).content.decode()

    assert "n = 5 phiếu đánh giá" in html
    assert "Thủ tục hành chính" in html and "Tiếp nhận, xử lý góp ý, phản ánh" in html
    assert world.counter_a.name in html
    element = _figure("unit", world.unit_a.pk, period, "element:access")
    assert f"{element.value:.2f}".replace(".", ",") in html
    assert "Trong 2 phiếu chưa hài lòng có nêu lý do:" in html
    assert "<li>Trả kết quả trễ hẹn: 2</li>" in html
    assert "<li>Cán bộ thiếu nhiệt tình, thiếu lịch sự: 1</li>" in html


def test_province_csv_has_every_unit_and_withholds_inadequate_values(client, results):
    world, period = results.world, results.period

    response = client.get(reverse("public:province-csv"), {"ky": str(period)})

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_unit = {row[1]: row for row in rows[1:] if row[1]}
    sipas = _figure("unit", world.unit_a.pk, period)
    assert float(by_unit[world.unit_a.name][2]) == pytest.approx(sipas.value)
    assert by_unit[world.unit_a.name][5] == "5"
    assert by_unit[world.unit_b.name][2] == "N/A"


def test_unit_csv(client, results):
    response = client.get(reverse("public:unit-csv", args=[results.world.unit_a.pk]))
    assert response.status_code == 200
    assert "Tiếp cận dịch vụ" in response.content.decode("utf-8-sig")


def test_pages_read_stored_figures_and_are_cached(client, results, django_assert_max_num_queries):
    url = reverse("public:province")
    client.get(url)
    # The second request reads only the latest snapshot run id; the figures come from the cache.
    with django_assert_max_num_queries(1):
        assert client.get(url).status_code == 200


def test_new_snapshot_run_is_shown_at_once(client, results, settings):
    from indices.services import compute_indices

    world = results.world
    client.get(reverse("public:province"))
    for _ in range(3):
        factories.make_rating(
            counter=world.counter_b,
            questionnaire=results.questionnaire,
            score=5,
            answers=dict.fromkeys(("SA", "SP", "SS", "SR", "SF"), 5),
        )
    compute_indices(periods=[results.period])
    html = client.get(reverse("public:province")).content.decode()
    assert "2/2 đơn vị đủ mẫu được tính" in html


@pytest.mark.parametrize("query", ["ky=2017-13", "ky=mot-nam", "ky=2025-02-30..2025-03-01"])
def test_bad_period_is_a_400_in_vietnamese(client, results, query):
    for name, args in (
        ("public:province", []),
        ("public:unit", [results.world.unit_a.pk]),
        ("public:province-csv", []),
    ):
        response = client.get(reverse(name, args=args) + "?" + query)
        assert response.status_code == 400
        if name != "public:province-csv":
            assert "Kỳ không hợp lệ" in response.content.decode() or "không hợp lệ" in response.content.decode()


def test_unknown_unit_is_404(client, db):
    assert client.get(reverse("public:unit", args=[999999])).status_code == 404


def test_pages_without_figures_say_so(client, world):
    html = client.get(reverse("public:province")).content.decode()
    assert "Chưa có kết quả" in html
    assert client.get(reverse("public:unit", args=[world.unit_a.pk])).status_code == 200
    assert client.get(reverse("public:province-csv")).status_code == 404


def test_method_page_states_the_minimum_sample(client, db, settings):
    settings.INDICES_MIN_SAMPLE = 45
    html = client.get(reverse("public:method")).content.decode()
    assert "45 phiếu" in html and "Wilson" in html


def test_english_pages(client, results):
    client.cookies["django_language"] = "en"
    html = client.get(reverse("public:province"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="en"' in html


def test_huge_unit_id_is_404_not_500(client, db):
    assert client.get(f"/ket-qua/don-vi/{10**30}/").status_code == 404
    assert client.get(f"/ket-qua/don-vi/{10**30}/ket-qua.csv").status_code == 404


def test_head_requests_are_answered(client, world):
    assert client.head(reverse("public:province")).status_code == 200


def test_group_and_province_rows_show_the_stored_k_of_n_and_ballots(client, results):
    """The public page repeats the snapshot job's counts (the one definition), never a count of its own."""
    world, period = results.world, results.period
    group = _figure("group", world.group.pk, period)
    IndexSnapshot.objects.filter(pk=group.pk).update(units_counted=0, units_total=2, ballots=4321)
    SnapshotRun.objects.create(formula_version="test")  # a new run: the page is rebuilt from the stored rows

    html = client.get(reverse("public:province")).content.decode()

    assert "0/2 đơn vị đủ mẫu được tính · 4321 phiếu" in html
