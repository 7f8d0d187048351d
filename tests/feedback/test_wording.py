"""One form of address for citizens ("ông/bà", never "bạn") on every citizen page and in every email, and the
citizen's own verdict shown in the reader's language in the timelines."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from feedback import services
from feedback.models import Status
from feedback.services import ContactInput
from tests import factories
from tests import test_translations as translation_walk
from tests.test_translations import visible_text, walk

pytestmark = pytest.mark.django_db

demo = translation_walk.demo
_compiled_catalogue = translation_walk._compiled_catalogue

BAN = re.compile(r"\bbạn\b", re.IGNORECASE)


def test_no_citizen_page_says_ban(demo):
    # given every page of the translation walk that an anonymous citizen sees, in Vietnamese
    seen, problems = 0, []
    for page, response in walk(demo, "vi"):
        if page.role is not None:
            continue
        seen += 1
        text = visible_text(response.content.decode())
        problems += [f"{page}: {line}" for line in text.splitlines() if BAN.search(line)]
    # then none addresses the citizen as "bạn"
    assert seen >= 15
    assert not problems, "\n".join(problems)


def test_no_email_says_ban(world, eager_celery, django_capture_on_commit_callbacks):
    # given staff with addresses and a citizen who consented to replies
    for user in (world.officer_a, world.lead_a, world.province):
        user.email = f"{user.username}@so.vn"
        user.save()
    contact = ContactInput(email="dan@example.vn", consent_reply=True)
    # when a case goes through every step that sends an email
    with django_capture_on_commit_callbacks(execute=True):
        case = factories.make_pakn_case(unit=world.unit_a, contact=contact)
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_case(case=case, by=world.officer_a, text="Dự thảo")
    with django_capture_on_commit_callbacks(execute=True):
        services.return_answer(case=case, by=world.lead_a, note="Viết rõ hơn")
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_case(case=case, by=world.officer_a, text="Đơn vị đã xử lý.")
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_answer(case=case, by=world.lead_a, publish=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.rate_answer(case=case, satisfied=False)
        services.appeal_case(case=case, text="Chưa thỏa đáng")
    # then the emails (the citizen's answer among them) never say "bạn"
    kinds = {m.to[0] for m in mail.outbox}
    assert "dan@example.vn" in kinds and len(mail.outbox) >= 4
    for message in mail.outbox:
        parts = [message.subject, message.body, *[content for content, _type in message.alternatives]]
        assert not [p for p in parts if BAN.search(p)], (message.subject, message.body)


def test_the_citizens_verdict_is_shown_in_english_in_the_english_timelines(client, world):
    # given an answered case the citizen rated "not satisfied" while browsing in Vietnamese
    case = factories.make_pakn_case(unit=world.unit_a)
    services.change_case_status(case=case, by=world.officer_a, to=Status.ACCEPTED)
    services.change_case_status(case=case, by=world.officer_a, to=Status.IN_PROGRESS)
    factories.publish_pakn_answer(case, officer=world.officer_a, lead=world.lead_a, text="Trả lời")
    services.rate_answer(case=case, satisfied=False)
    # when the tracking page and the staff timeline are read in English
    tracking = client.get(reverse("feedback:case-track", args=[case.tracking_code]), HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.officer_a)
    staff = client.get(reverse("feedback:case-events", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="en")
    # then the verdict is in English
    for response in (tracking, staff):
        text = visible_text(response.content.decode())
        assert "Dissatisfied" in text and "Không hài lòng" not in text
