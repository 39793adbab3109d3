"""Who sees which complaint: monitors see corruption and maladministration in full and nothing
else; a Centre Manager never sees a corruption report naming their centre's staff; nobody edits
or deletes a complaint."""

from huduma.complaints import services
from huduma.complaints.models import Category, Channel
from tests.conftest import sign_in_verified


def lodge(world, category, text, **extra):
    return services.complaint_lodge(
        channel=Channel.WEB,
        category=category,
        text=text,
        phone="0712345678",
        centre=world.gpo,
        **extra,
    )


def test_bribery_report_is_visible_to_the_monitor_and_invisible_to_the_centre_manager(
    client, world, clock
):
    bribe = lodge(world, Category.BRIBERY, "Counter 1 officer asked me for KES 1,000.")
    named = lodge(
        world, Category.MALADMINISTRATION, "The supervisor lost my file on purpose.",
        names_staff=True,
    )  # fmt: skip
    rude = lodge(world, Category.SERVICE_QUALITY, "Long queue and no seats.")

    client.force_login(world.mona)  # EACC monitor
    worklist = client.get("/staff/complaints/").content.decode()
    assert bribe.reference in worklist and named.reference in worklist
    assert rude.reference not in worklist  # nothing else
    detail = client.get(f"/staff/complaints/{bribe.reference}/")
    assert detail.status_code == 200
    assert "KES 1,000" in detail.content.decode() and "+254712345678" in detail.content.decode()
    assert client.get(f"/staff/complaints/{rude.reference}/").status_code == 404
    assert "Take this complaint" in detail.content.decode()  # the monitors act on it

    client.force_login(world.bob)  # Centre Manager of the centre concerned
    worklist = client.get("/staff/complaints/").content.decode()
    assert rude.reference in worklist
    assert bribe.reference not in worklist and named.reference not in worklist
    assert client.get(f"/staff/complaints/{bribe.reference}/").status_code == 404
    assert client.get(f"/staff/complaints/{named.reference}/").status_code == 404
    assert client.post(f"/staff/complaints/{bribe.reference}/take/").status_code == 404


def test_nobody_edits_or_deletes_a_complaint(client, world, clock):
    complaint = lodge(world, Category.SERVICE_QUALITY, "Long queue and no seats.")
    client.force_login(world.bob)
    for action in ("edit", "delete"):
        assert client.post(f"/staff/complaints/{complaint.reference}/{action}/").status_code == 404
    sign_in_verified(client, world.sam)  # even a superuser, in the admin
    base = f"/admin/complaints/complaint/{complaint.pk}/"
    assert client.post(base + "delete/", {"post": "yes"}).status_code == 403
    client.post(base + "change/", {"text": "rewritten"})
    complaint.refresh_from_db()
    assert complaint.text == "Long queue and no seats."
