"""Quarantine review: the decision service, the provincial review page (with its confirmation step) and a unit's
history page, including every permission rule."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from survey.models import IntegrityAlert, QuarantineDecision, Rating
from survey.quarantine import decide_quarantined, quarantine_clusters
from tests import factories

pytestmark = pytest.mark.django_db


def quarantine(counter, n, start, step_minutes=1, flags=("burst",)):
    return [
        factories.make_rating(
            counter=counter,
            status=Rating.Status.QUARANTINED,
            flags=list(flags),
            created_at=start + datetime.timedelta(minutes=i * step_minutes),
        )
        for i in range(n)
    ]


@pytest.fixture
def suspicious(world):
    start = timezone.now() - datetime.timedelta(hours=3)
    return {
        "morning": quarantine(world.counter_a, 5, start),
        "later": quarantine(world.counter_a, 3, start + datetime.timedelta(hours=2), flags=("device_cooldown",)),
        "other_unit": quarantine(world.counter_b, 2, start),
    }


# --- Service ---------------------------------------------------------------------------------------------------


def test_decisions_only_touch_quarantined_ratings_and_split_per_unit(world, suspicious):
    accepted = factories.make_rating(counter=world.counter_a)
    chosen = suspicious["morning"] + suspicious["other_unit"] + [accepted]
    decisions = decide_quarantined(ratings=chosen, decision="exclude", by=world.province, reason="Bot")
    assert {(d.unit, d.rating_count) for d in decisions} == {(world.unit_a, 5), (world.unit_b, 2)}
    accepted.refresh_from_db()
    assert accepted.status == Rating.Status.ACCEPTED
    assert Rating.objects.filter(status=Rating.Status.EXCLUDED).count() == 7
    assert set(decisions[0].ratings.values_list("status", flat=True)) == {Rating.Status.EXCLUDED}


def test_a_rating_cannot_be_decided_twice(world, suspicious):
    decide_quarantined(ratings=suspicious["later"], decision="reinstate", by=world.province, reason="Thật")
    with pytest.raises(ValidationError):
        decide_quarantined(ratings=suspicious["later"], decision="exclude", by=world.province, reason="Đổi ý")
    assert Rating.objects.counted().count() == 3


@pytest.mark.parametrize(
    ("decision", "reason"), [("reinstate", ""), ("reinstate", "   "), ("delete", "Xoá"), ("", "Lý do")]
)
def test_a_decision_needs_a_known_verb_and_a_reason(world, suspicious, decision, reason):
    with pytest.raises(ValidationError):
        decide_quarantined(ratings=suspicious["morning"], decision=decision, by=world.province, reason=reason)
    assert not QuarantineDecision.objects.exists()
    assert Rating.objects.filter(status=Rating.Status.QUARANTINED).count() == 10


@pytest.mark.parametrize("who", ["officer_a", "lead_a", "officer_b"])
def test_unit_staff_cannot_decide(world, suspicious, who):
    with pytest.raises(PermissionDenied):
        decide_quarantined(ratings=suspicious["morning"], decision="reinstate", by=getattr(world, who), reason="x")
    assert Rating.objects.counted().count() == 0


def test_clusters_group_by_counter_and_by_gaps_in_time(world, suspicious):
    groups = quarantine_clusters()
    assert [(counter, [len(c.ratings) for c in clusters]) for counter, clusters in groups] == [
        (world.counter_a, [5, 3]),
        (world.counter_b, [2]),
    ]
    first = groups[0][1][0]
    assert dict(first.score_counts)[5] == 5
    assert first.flag_counts == [("Dồn phiếu bất thường tại quầy", 5)]


# --- Permissions -------------------------------------------------------------------------------------------------

REVIEW_PAGES = [
    ("get", "survey:quarantine-list"),
    ("post", "survey:quarantine-confirm"),
    ("post", "survey:quarantine-decide"),
]


@pytest.mark.parametrize(("method", "name"), REVIEW_PAGES)
@pytest.mark.parametrize("who", ["officer_a", "lead_a", "officer_b"])
def test_unit_staff_get_404_on_the_review_pages(client, world, suspicious, method, name, who):
    client.force_login(getattr(world, who))
    ids = ",".join(str(r.pk) for r in suspicious["morning"])
    data = {"clusters": ids, "decision": "reinstate", "reason": "Tự khôi phục"}
    response = getattr(client, method)(reverse(name), data if method == "post" else None)
    assert response.status_code == 404
    assert Rating.objects.counted().count() == 0


@pytest.mark.parametrize(("method", "name"), REVIEW_PAGES)
def test_anonymous_visitors_are_sent_to_login(client, method, name):
    response = getattr(client, method)(reverse(name))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("who", "unit_attr", "status"),
    [
        ("officer_a", "unit_a", 200),
        ("lead_a", "unit_a", 200),
        ("officer_b", "unit_a", 404),
        ("officer_a", "unit_b", 404),
        ("province", "unit_a", 200),
        ("admin", "unit_b", 200),
    ],
)
def test_unit_history_is_scoped(client, world, suspicious, who, unit_attr, status):
    client.force_login(getattr(world, who))
    unit = getattr(world, unit_attr)
    assert client.get(reverse("survey:unit-integrity-history", args=[unit.code])).status_code == status


def test_unit_history_of_an_unknown_unit_is_404(client, world):
    client.force_login(world.province)
    assert client.get(reverse("survey:unit-integrity-history", args=["khong-co"])).status_code == 404


# --- Pages -------------------------------------------------------------------------------------------------------


def test_review_page_lists_clusters_and_alerts(client, world, suspicious, django_assert_max_num_queries):
    IntegrityAlert.objects.create(
        kind="unhappy",
        counter=world.counter_a,
        unit=world.unit_a,
        window_start=timezone.now(),
        window_end=timezone.now(),
        vote_count=6,
        unhappy_count=4,
    )
    client.force_login(world.province)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("survey:quarantine-list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nhiều đánh giá không hài lòng" in html
    assert html.count('name="clusters"') == 3
    assert ",".join(str(r.pk) for r in suspicious["morning"]) in html


def test_bulk_decision_goes_through_a_confirmation_step(client, world, suspicious):
    client.force_login(world.province)
    ids = ",".join(str(r.pk) for r in suspicious["morning"] + suspicious["later"])
    data = {"clusters": ids, "decision": "exclude", "reason": "Dồn phiếu từ một thiết bị"}

    # when: the reviewer continues from the list, the confirmation page shows what will happen, nothing changes
    confirm = client.post(reverse("survey:quarantine-confirm"), data)
    assert confirm.status_code == 200
    assert "Xác nhận" in confirm.content.decode() and "8" in confirm.content.decode()
    assert Rating.objects.filter(status=Rating.Status.QUARANTINED).count() == 10

    # then: confirming records the decision and redirects to the list with a message
    response = client.post(reverse("survey:quarantine-decide"), data, follow=True)
    assert response.redirect_chain[-1][0] == reverse("survey:quarantine-list")
    assert "Đã ghi quyết định cho 8 đánh giá" in response.content.decode()
    decision = QuarantineDecision.objects.get()
    assert (decision.decided_by, decision.rating_count, decision.reason) == (world.province, 8, data["reason"])
    assert Rating.objects.filter(status=Rating.Status.EXCLUDED).count() == 8


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"decision": "exclude", "reason": "x"}, "Hãy chọn ít nhất một nhóm"),
        ({"clusters": "1,2", "decision": "exclude", "reason": ""}, "Vui lòng nêu lý do"),
        ({"clusters": "1,2", "reason": "x"}, "Hãy chọn khôi phục hoặc loại bỏ"),
        ({"clusters": "1;drop", "decision": "exclude", "reason": "x"}, "Lựa chọn không hợp lệ"),
        ({"clusters": "999999", "decision": "exclude", "reason": "x"}, "Không còn đánh giá nào"),
    ],
)
@pytest.mark.parametrize("name", ["survey:quarantine-confirm", "survey:quarantine-decide"])
def test_bad_review_input_is_a_400_with_a_clear_message(client, world, suspicious, data, message, name):
    client.force_login(world.province)
    response = client.post(reverse(name), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not QuarantineDecision.objects.exists()


def test_officers_see_that_ratings_were_quarantined_not_which(client, world, suspicious):
    decide_quarantined(ratings=suspicious["morning"], decision="exclude", by=world.province, reason="Dồn phiếu")
    client.force_login(world.officer_a)
    html = client.get(reverse("survey:unit-integrity-history", args=[world.unit_a.code])).content.decode()
    assert "<strong>3</strong> đánh giá đang cách ly" in html
    assert "<strong>5</strong> đánh giá đã bị loại" in html
    assert "Dồn phiếu" in html and "province" in html  # the decision: why and who
    for rating in suspicious["morning"] + suspicious["later"]:
        assert f'value="{rating.pk}"' not in html and f",{rating.pk}," not in html
    assert 'name="clusters"' not in html


def test_staff_navigation_links_to_each_roles_page(client, world):
    client.force_login(world.province)
    assert reverse("survey:quarantine-list") in client.get("/").content.decode()
    client.force_login(world.officer_a)
    html = client.get("/").content.decode()
    assert reverse("survey:unit-integrity-history", args=[world.unit_a.code]) in html
    assert reverse("survey:quarantine-list") not in html
