"""The contact centre in the demo (`load_demo`): an agent and a counsellor at extensions, the
knowledge base given owners and review dates, and how to play a call."""

import datetime as dt

from django.conf import settings
from django.db import transaction

from huduma.accounts.models import Role, User
from huduma.catalogue.models import Article
from huduma.channels.contact.models import AgentSeat
from huduma.core import clock

DEMO_TEAM = (
    ("agent.contact", Role.CONTACT_AGENT, "Amina", "201"),
    ("counsellor", Role.COUNSELLOR, "Wanjiru", "301"),
)


@transaction.atomic
def demo_contact_lines() -> list[str]:
    # The demo's accounts share one password: copy its hash from the Secretariat's account.
    secretariat = User.objects.filter(username="secretariat").first()
    if secretariat is None:
        return []
    for username, role, first_name, extension in DEMO_TEAM:
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={"role": role, "first_name": first_name, "password": secretariat.password},
        )
        AgentSeat.objects.update_or_create(agent=user, defaults={"extension": extension})
    today = clock.local_date()
    for n, article in enumerate(Article.objects.filter(owner__isnull=True).order_by("slug")):
        # The first article is past its review date: flagged on the list, told to its owner.
        due = today - dt.timedelta(days=3) if n == 0 else today + dt.timedelta(days=90)
        Article.objects.filter(pk=article.pk).update(owner=secretariat, review_due=due)
    secret = settings.CONTACT_CALL_EVENT_SECRET
    team = (
        "Contact centre: agent.contact (extension 201) at /contact/, counsellor (301); "
        "knowledge base at /staff/knowledge/"
    )
    body = '{"event": "new", "call_id": "demo-1", "caller": "0712345678"}'
    play = (
        f"  play a call: curl -H 'X-Huduma-Call-Secret: {secret}' "
        f"-H 'Content-Type: application/json' -d '{body}' "
        "http://127.0.0.1:8000/api/contact/call-events "
        '(then "event": "answered" with "agent_extension": "201", then "hungup")'
    )
    return [team, play]
