"""Surveys: the Secretariat's questionnaire goes by SMS link to a random sample of citizens
served in a period; each answers once; results per centre and service."""

import re

import pytest

from huduma.feedback import surveys
from huduma.feedback.models import Survey, SurveyAnswer, SurveyQuestion
from huduma.notify.models import Message
from tests.conftest import sign_in_verified
from tests.feedback_helpers import serve


@pytest.fixture
def survey(world, clock):
    s = Survey.objects.create(
        title_en="Your visit",
        title_sw="Ziara yako",
        period_start=clock.current.date(),
        period_end=clock.current.date(),
        sample_size=3,
    )
    SurveyQuestion.objects.create(
        survey=s, position=1, text_en="How clean was the hall?", text_sw="Ukumbi ulikuwa safi?"
    )
    SurveyQuestion.objects.create(
        survey=s,
        position=2,
        text_en="Did you get what you came for?",
        text_sw="Ulipata?",
        kind="yes_no",
    )
    SurveyQuestion.objects.create(
        survey=s, position=3, text_en="Anything else?", text_sw="Jambo lingine?", kind="text"
    )
    return s


def served_citizens(world, n, phone_start=10):
    counter = world.counters[("gpo-nairobi", 1)]
    return [
        serve(world, counter, world.alice, world.id_dup, phone=f"07123456{phone_start + i:02d}")
        for i in range(n)
    ]


def links():
    return [
        re.search(r"(/s/[A-Za-z0-9_-]+/)", m.body)[1]
        for m in Message.objects.filter(template="survey_invite")
    ]


def test_a_random_sample_is_texted_once(world, survey):
    served_citizens(world, 5)
    serve(world, world.counters[("gpo-nairobi", 1)], world.alice, world.id_dup)  # no phone
    assert surveys.survey_send(survey=survey, seed=1) == 3
    assert len(links()) == 3
    # Sending again does not text the same people; the sample is already full.
    assert surveys.survey_send(survey=survey, seed=2) == 0
    survey.sample_size = 5
    survey.save()
    assert surveys.survey_send(survey=survey, seed=3) == 2
    assert len(set(Message.objects.filter(template="survey_invite").values_list("to"))) == 5


def test_outside_the_period_is_not_sampled(world, survey, clock):
    served_citizens(world, 2)
    survey.period_start = survey.period_end = clock.current.date().replace(day=1)
    survey.save()
    assert surveys.survey_send(survey=survey, seed=1) == 0


def test_citizen_answers_once_and_results_are_per_centre_and_service(client, world, survey):
    served_citizens(world, 2)
    surveys.survey_send(survey=survey, seed=1)
    first, second = links()
    q1, q2, q3 = survey.questions.all()
    page = client.get(first)
    assert page.status_code == 200 and "How clean was the hall?" in page.content.decode()
    done = client.post(first, {f"q{q1.pk}": "5", f"q{q2.pk}": "yes", f"q{q3.pk}": "Asante"})
    assert "Your answers have been recorded" in done.content.decode()
    again = client.post(first, {f"q{q1.pk}": "1"})
    assert again.status_code == 409
    bad = client.post(second, {f"q{q1.pk}": "9"})
    assert bad.status_code == 400
    client.post(second, {f"q{q1.pk}": "2", f"q{q2.pk}": "no"})
    assert SurveyAnswer.objects.count() == 5

    [gpo] = surveys.survey_results(survey=survey, group_by="centre")
    assert (gpo.label, gpo.sent, gpo.answered) == ("Huduma Centre GPO", 2, 2)
    clean, got, _text = gpo.questions
    assert (clean.mean_score, clean.satisfied_pct, clean.answers) == (3.5, 50.0, 2)
    assert got.yes_pct == 50.0
    [service] = surveys.survey_results(survey=survey, group_by="service")
    assert service.label == "Replacement of a lost ID card"

    sign_in_verified(client, world.sam)
    page = client.get(f"/admin/feedback/survey/{survey.pk}/results/")
    assert page.status_code == 200
    assert "mean 3.5, 50.0% 4-5 (n=2)" in page.content.decode()


def test_secretariat_sends_from_the_admin(client, world, survey):
    served_citizens(world, 2)
    sign_in_verified(client, world.sam)
    response = client.post(
        "/admin/feedback/survey/",
        {"action": "send_sample", "_selected_action": [survey.pk]},
        follow=True,
    )
    assert "2 links sent" in response.content.decode()
