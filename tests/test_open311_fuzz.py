"""Open311 fuzzed with its own credentials (property-based, hypothesis): POST requests.json with
generated fields (service_code, description, lat/long, address_string, address_id, email,
phone, names, attribute[...], media_url, jurisdiction_id, an Idempotency-Key) in odd encodings,
and GET requests, requests/<id>, services and services/<code> with the client's api_key.

Each generated field is valid or broken in a known way, so every answer is checked against
what it should be: never a 5xx; a refusal is the GeoReport v2 error list (code, description)
naming a field that was broken; a 201/200 only when nothing was; and a refused request leaves
no complaint, event or SMS behind. A fixed seed, derandomised generation and a bounded number
of examples keep it deterministic and well under a minute.
"""

import contextvars
import json
import os
import unicodedata
import urllib.parse
import uuid
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

import pytest
from hypothesis import HealthCheck, event, given, note, seed, settings
from hypothesis import strategies as st

from huduma.complaints.models import MONITOR_CATEGORIES, Category, Complaint, ComplaintEvent
from huduma.complaints.services import api_client_create, complaint_lodge
from huduma.core import clock
from huduma.notify.models import Message

pytestmark = pytest.mark.django_db

SEED = 20261207
# Per test; raise it for a deeper local run: HUDUMA_FUZZ_EXAMPLES=500 make test
EXAMPLES = int(os.environ.get("HUDUMA_FUZZ_EXAMPLES", "100"))
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    # One world and one client for all examples: each example counts what it wrote itself.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
BASE = "/open311/v2"
CENTRES = ["gpo-nairobi", "kisumu"]
SERVICES = ["NRB-ID-DUPLICATE", "NHIF-REGISTRATION", "KRA-PIN"]

# Text of every kind (no lone surrogates: they cannot travel as UTF-8 at all): right-to-left,
# combining marks, emoji, other scripts; sometimes a control character (NUL above all), which
# the gate in front of every view refuses naming the field; and text "empty" once stripped.
PRINTABLE = st.text(st.characters(exclude_categories=["Cs", "Cc"]), min_size=1, max_size=40)
ANY_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
BLANK = st.sampled_from(["", " ", "\t", "\n \r"])
ODD = st.sampled_from(["Kwa nini?", "\u202eevil", "e\u0301", "🙂🙂", "a\x00b", "٣", "'; DROP --"])
SHORT = st.one_of(PRINTABLE, PRINTABLE, PRINTABLE, PRINTABLE, ODD, ANY_TEXT)


def has_control(text: str) -> bool:
    """A control character no text field may hold (tab and line ends are text)."""
    return any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r" for ch in text)


def mostly(draw, valid, *broken):
    """A valid value (always in a clean request, else most of the time), or one of the broken
    kinds; returns (value, is_broken)."""
    if not broken or CLEAN.get() or draw(st.integers(0, 9)) < 8:
        return draw(valid), False
    return draw(st.one_of(*broken)), True


# Whether the request being drawn is to be valid throughout: half of them, so that the path to
# a lodged complaint is walked as often as the refusals.
CLEAN = contextvars.ContextVar("clean", default=False)


@dataclass
class Draft:
    """A request being generated, and which of its fields are broken (the names an error may
    give for each)."""

    data: dict = field(default_factory=dict)
    broken: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)

    def put(self, name: str, value, *, broken: set | None = None) -> None:
        if value is not None:
            self.data[name] = value
        if broken:
            self.broken[name] = broken


def _coordinate(low: int, high: int):
    valid = st.floats(low, high, allow_nan=False).map(lambda x: f"{x:.6f}")
    # Anything holding a character no plain decimal has, or out of range.
    invalid = st.one_of(
        st.sampled_from(["nan", "1e2", "٣", " 3", "3 ", "1_0", "--1", "0x1A", "1.2.3", ""]),
        st.sampled_from([f"{high + 1}.5", f"{low - 1}", "1000", "1.1234567890123456"]),
        ANY_TEXT.map(lambda s: s + "°"),
    )
    return valid, invalid


LAT, BAD_LAT = _coordinate(-90, 90)
LONG, BAD_LONG = _coordinate(-180, 180)


@st.composite
def posts(draw) -> Draft:
    """One POST requests.json, field by field: absent, valid, or broken (and named)."""
    d = Draft()
    clean = draw(st.booleans())
    CLEAN.set(clean)
    text = PRINTABLE if clean else SHORT
    key, bad = mostly(draw, st.just("own"), st.sampled_from(["absent", "wrong", "revoked"]))
    d.put("api_key", None if key == "absent" else key, broken={"api_key"} if bad else None)

    code, bad = mostly(draw, st.sampled_from(Category.values), st.just(None), BLANK, text)
    d.put("service_code", code, broken={"service_code"} if bad else None)

    # Location: lat and long together, or an address (or a centre's code); none is refused.
    kinds = ["pair", "address"] if clean else ["pair", "none", "address", "lat", "long", "bad"]
    lat_kind = draw(st.sampled_from(kinds))
    has_place = lat_kind == "pair"
    if lat_kind == "pair":
        d.put("lat", draw(LAT))
        d.put("long", draw(LONG))
    elif lat_kind in ("lat", "long"):  # one without the other
        d.put(lat_kind, draw(LAT if lat_kind == "lat" else LONG), broken={"lat", "long"})
    elif lat_kind == "bad":
        which = draw(st.sampled_from(["lat", "long"]))
        d.put("lat", draw(BAD_LAT) if which == "lat" else draw(LAT))
        d.put("long", draw(BAD_LONG) if which == "long" else draw(LONG))
        d.broken[which] = {which}
    address = draw(PRINTABLE if lat_kind == "address" else st.one_of(st.none(), BLANK, text))
    d.put("address_string", address)
    has_place |= bool(address and address.strip())
    address_id = draw(st.one_of(st.none(), st.sampled_from(CENTRES), BLANK, text))
    d.put("address_id", address_id)
    has_place |= bool(address_id and address_id.strip())
    if not has_place:
        d.broken["location"] = {"lat", "address_string", "address_id", "location"}

    media, bad = mostly(
        draw,
        st.sampled_from([None, None, "https://example.org/photo.jpg", "http://example.org/p"]),
        st.sampled_from(["ftp://example.org/p", "javascript:alert(1)", "example.org/p"]),
        st.just("https://example.org/" + "p" * 500),
    )
    d.put("media_url", media, broken={"media_url"} if bad else None)
    email, bad = mostly(
        draw,
        st.sampled_from([None, "wanjiku@example.ke"]),
        st.just("no-at-sign"),
        st.just("w" * 250 + "@x.ke"),  # 255 characters: one too many
    )
    d.put("email", email, broken={"email"} if bad else None)
    for name in ("first_name", "last_name"):
        value, bad = mostly(draw, st.one_of(st.none(), text), st.just("N" * 101))
        d.put(name, value, broken={name} if bad else None)
    phone, bad = mostly(
        draw,
        st.sampled_from([None, "", "0712345678", "+254722000111"]),
        st.sampled_from(["12345", "07123"]),
    )
    d.put("phone", phone, broken={"phone"} if bad else None)

    centre, _bad = mostly(draw, st.sampled_from(CENTRES), st.none(), BLANK, text)
    d.put("attribute[centre]", centre)
    centre_code = (centre or "").strip() or (address_id or "").strip()
    if centre_code not in CENTRES:
        d.broken["attribute[centre]"] = {"attribute[centre]"}
    service, bad = mostly(
        draw, st.sampled_from([None, *SERVICES]), st.just("NO-SUCH-SERVICE"), st.just(" ")
    )
    d.put(
        "attribute[service]",
        service,
        broken={"attribute[service]"} if service == "NO-SUCH-SERVICE" else None,
    )
    d.put(
        "attribute[names_staff]", draw(st.one_of(st.none(), st.sampled_from(["yes", "no"]), text))
    )
    d.put("jurisdiction_id", draw(st.one_of(st.none(), st.just("ke.huduma"), text)))

    description, bad = mostly(
        draw,
        st.one_of(st.none(), text, st.just("Waited four hours at the counter.")),
        st.just("x" * 4001),
    )
    d.put("description", description, broken={"description"} if bad else None)

    header, bad = mostly(
        draw,
        st.sampled_from([None, "fresh"]),
        st.sampled_from(["", "with space", "ü-key", "k" * 81]),
    )
    if header is not None:
        d.headers["HTTP_IDEMPOTENCY_KEY"] = header  # "fresh": a new key each time (the test's)
    if bad:
        d.broken["Idempotency-Key"] = {"idempotency_key"}
    encodings = ["utf-8", "unknown", "bytes"] + ([] if clean else ["latin-1"])
    d.headers["encoding"] = draw(st.sampled_from(encodings))
    for name, value in d.data.items():
        if has_control(value):  # refused by the gate in front of every view, naming the field
            d.broken[name] = {name}
    return d


def _body(draft: Draft) -> tuple[bytes, str]:
    """The form body in the encoding drawn: UTF-8; Latin-1 declared (refused: forms are read in
    UTF-8 only); an unknown charset declared (read as UTF-8); or UTF-8 with bytes that are no
    UTF-8 at all (%FF%FE, which arrive as replacement characters)."""
    encoding = draft.headers["encoding"]
    pairs = list(draft.data.items())
    if encoding == "latin-1":
        # Django reads forms in UTF-8 only: refused, naming the charset.
        draft.broken["charset"] = {"charset"}
        try:
            return urllib.parse.urlencode(pairs, encoding="latin-1").encode(), "; charset=latin-1"
        except UnicodeEncodeError:
            return urllib.parse.urlencode(pairs).encode(), "; charset=latin-1"
    body = urllib.parse.urlencode(pairs)
    if encoding == "bytes":
        body += "&jurisdiction_id=%FF%FE"  # invalid UTF-8: no field's validity depends on it
    return body.encode(), "; charset=x-unknown" if encoding == "unknown" else ""


def error_names(response) -> str:
    """The GeoReport v2 error list of a refusal, as one description; its shape checked."""
    kind = response["Content-Type"]
    if kind.startswith("application/json"):
        errors = json.loads(response.content)
        assert isinstance(errors, list) and errors, errors
        assert all(set(e) == {"code", "description"} for e in errors), errors
        assert all(e["code"] == response.status_code for e in errors), errors
        return " ".join(str(e["description"]) for e in errors)
    root = ET.fromstring(response.content)
    assert root.tag == "errors" and len(root), response.content
    for error in root:
        assert error.tag == "error", response.content
        assert error.findtext("code") == str(response.status_code), response.content
    return " ".join(e.findtext("description") or "" for e in root)


@pytest.fixture
def keys(world) -> dict:
    own, key = api_client_create(name="Civic app")
    revoked, revoked_key = api_client_create(name="Old app")
    revoked.revoked_at = clock.now()
    revoked.save(update_fields=["revoked_at"])
    return {"own": key, "revoked": revoked_key, "wrong": "not-a-key-" + "0" * 40, "client": own}


def _written() -> tuple[int, int, int]:
    return Complaint.objects.count(), ComplaintEvent.objects.count(), Message.objects.count()


@seed(SEED)
@FUZZ
@given(draft=posts())
def test_a_post_is_refused_naming_a_broken_field_or_lodged(client, keys, draft):
    client.raise_request_exception = False
    if "api_key" in draft.data:
        draft.data["api_key"] = keys[draft.data["api_key"]]
    body, charset = _body(draft)
    headers = {k: v for k, v in draft.headers.items() if k.startswith("HTTP_")}
    if headers.get("HTTP_IDEMPOTENCY_KEY") == "fresh":
        headers["HTTP_IDEMPOTENCY_KEY"] = f"fuzz-{uuid.uuid4().hex}"
    note(f"body={body[:600]!r} charset={charset!r} headers={headers!r} broken={draft.broken}")
    before = _written()
    response = client.generic(
        "POST",
        f"{BASE}/requests.json",
        data=body,
        content_type="application/x-www-form-urlencoded" + charset,
        **headers,
    )
    status = response.status_code
    event(f"POST {status}")  # --hypothesis-show-statistics: how often each answer came
    assert status < 500, response.content[:300]
    if draft.broken:
        assert 400 <= status < 500, (status, response.content[:300])
        said = error_names(response)
        names = set().union(*draft.broken.values())
        assert any(name in said for name in names), (said, draft.broken)
        assert _written() == before, "a refused request left something behind"
    else:
        assert status == 201, response.content[:300]
        (answer,) = json.loads(response.content)
        lodged = Complaint.objects.get(reference=answer["service_request_id"])
        assert lodged.channel == "open311" and lodged.api_client_id == keys["client"].pk


# --- the reads --------------------------------------------------------------------------------

W3C = st.sampled_from(
    ["2026-11-24T09:00:00+03:00", "2026-01-01T00:00:00Z", "2025-12-31T23:59:59-05:00"]
)
NOT_W3C = st.sampled_from(
    ["2026-11-24", "2026-11-24T09:00:00", "yesterday", "2026-13-40T00:00:00Z", "٢٠٢٦"]
)
REFERENCE_CHARS = "ABCDEFGHJKMNPQRSTUVWXYZ23456789abc -"


@st.composite
def reads(draw) -> tuple[str, dict, set]:
    """One GET: (address, parameters, the names a refusal may give; empty when it must work)."""
    params: dict = {}
    broken: set = set()
    key = draw(st.sampled_from(["own", "own", "absent", "wrong", "revoked"]))
    if key != "absent":
        params["api_key"] = key
    what = draw(st.sampled_from(["requests", "requests", "request", "services", "service"]))
    fmt = draw(st.sampled_from(["json", "json", "xml"]))
    if draw(st.booleans()):
        params["jurisdiction_id"] = draw(SHORT)
        if has_control(params["jurisdiction_id"]):
            broken.add("jurisdiction_id")
    if what == "services":
        return f"{BASE}/services.{fmt}", params, broken
    if what == "service":
        code = draw(
            st.one_of(
                st.sampled_from(Category.values), st.text("abcdefz_-", min_size=1, max_size=20)
            )
        )
        if code not in Category.values:
            broken.add("service_code")
        return f"{BASE}/services/{code}.{fmt}", params, broken
    # Requests: a wrong or revoked key is refused; no key reads the public list.
    keyed = key in ("wrong", "revoked")
    if what == "request":
        reference = draw(
            st.one_of(
                st.just("OWN"), st.just("OTHER"), st.text(REFERENCE_CHARS, min_size=1, max_size=20)
            )
        )
        broken |= {"api_key"} if keyed else set()
        return f"{BASE}/requests/{reference}.{fmt}", params, broken
    ids = draw(st.one_of(st.none(), st.just("OWN"), st.just("OWN,OTHER, ,"), SHORT))
    if ids is not None:
        params["service_request_id"] = ids
    for name, good, bad in (("start_date", W3C, NOT_W3C), ("end_date", W3C, NOT_W3C)):
        choice = draw(st.sampled_from(["absent", "good", "bad"]))
        if choice != "absent":
            params[name] = draw(good if choice == "good" else bad)
            if choice == "bad":
                broken.add(name)
    status = draw(
        st.one_of(st.none(), st.sampled_from(["open", "closed", "open,closed", "pending", "OPEN"]))
    )
    if status is not None:
        params["status"] = status
        if any(s.strip() not in ("open", "closed") for s in status.split(",") if s.strip()):
            broken.add("status")
    if draw(st.booleans()):
        params["service_code"] = draw(st.one_of(st.sampled_from(Category.values), SHORT))
    if ids is not None and any(part.strip() for part in ids.split(",")):
        broken -= {"start_date", "end_date", "status"}  # the spec: other parameters ignored
    if keyed:
        broken.add("api_key")
    broken |= {name for name, value in params.items() if has_control(value)}
    return f"{BASE}/requests.{fmt}", params, broken


@pytest.fixture
def filed(world, keys) -> dict:
    """A complaint the client filed, and a corruption report another client filed."""
    from huduma.complaints.models import Channel

    own = complaint_lodge(
        channel=Channel.OPEN311, category="delay", text="Waited four hours.", phone="0712345678",
        centre=world.gpo, api_client=keys["client"], location={"lat": -1.28, "long": 36.82},
    )  # fmt: skip
    other_client, _key = api_client_create(name="Another app")
    other = complaint_lodge(
        channel=Channel.OPEN311, category=min(MONITOR_CATEGORIES), text="Asked for a bribe.",
        phone="0722000111", centre=world.gpo, api_client=other_client,
        location={"address_string": "GPO"},
    )  # fmt: skip
    return {"OWN": own.reference, "OTHER": other.reference}


@seed(SEED)
@FUZZ
@given(read=reads())
def test_a_read_answers_or_is_refused_naming_a_broken_field(client, keys, filed, read):
    client.raise_request_exception = False
    url, params, broken = read
    for name in ("OWN", "OTHER"):
        url = url.replace(f"/{name}.", f"/{filed[name]}.")
        if "service_request_id" in params:
            params["service_request_id"] = params["service_request_id"].replace(name, filed[name])
    if "api_key" in params:
        params["api_key"] = keys[params["api_key"]]
    note(f"GET {url} {params!r} broken={broken}")
    response = client.get(url, params)
    status = response.status_code
    event(f"GET {url.split('/')[3].split('.')[0]} {status}")
    assert status < 500, response.content[:300]
    not_found = "/requests/" in url and filed["OWN"] not in url and not broken
    hidden = f"/{filed['OTHER']}." in url  # another client's corruption report
    if broken or not_found or hidden:
        assert 400 <= status < 500, (status, response.content[:300])
        said = error_names(response)
        names = broken or {"service_request_id"}
        assert any(name in said for name in names), (said, names)
    else:
        assert status == 200, response.content[:300]
        if url.endswith(".json"):
            answer = json.loads(response.content)
            assert isinstance(answer, (list, dict))
            if isinstance(answer, list) and "/requests" in url:
                # A corruption report is listed only to the client that filed it.
                assert filed["OTHER"] not in [r["service_request_id"] for r in answer]
