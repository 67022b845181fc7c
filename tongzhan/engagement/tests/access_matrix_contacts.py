"""Authorization matrix rows for the contact log (联系记录) pages, the phone pages and the
contacts API; the engagement app's access_matrix.py gathers them. World objects are made
lazily, inside the lambdas.

One log per person of the world, written by the county staff: A1 (非公经济, village A1),
A2 (宗教界, community A2), B1 (非公经济, village B1); each has one photo. Logs are written
with the "record" action, which the village liaison holds and the leader does not: the
leader reads (200) but gets 403 on writes; whoever cannot see the log gets 404.
"""

from django.urls import reverse
from django.utils import timezone

from tongzhan.testing import Case

from .contact_factory import png_upload

ADMINS = ("county_admin", "auditor", "security_admin")
VIEWERS = {"county_staff", "unit_contact", "township_a", "township_b", "village_a", "leader"}
RECORDERS = VIEWERS - {"leader"}
SEES = {
    "A1": {"county_staff", "unit_contact", "township_a", "village_a", "leader"},
    "A2": {"county_staff", "township_a", "leader"},
    "B1": {"county_staff", "unit_contact", "township_b", "leader"},
}
PERSON = {"A1": "person_a1", "A2": "person_a2", "B1": "person_b1"}
API = "/api/v1/engagement/contacts/"


def world_log(w, key: str):
    """The log of person `key` (with one photo), written by the county staff on first use."""
    from tongzhan.engagement import attachments
    from tongzhan.engagement.services import contacts as services

    made = w.__dict__.setdefault("_contact_logs", {})
    if key not in made:
        staff = w.user("county_staff")
        data = services.LogData(
            happened_on=timezone.localdate(),
            mode="visit",
            summary="走访",
            persons=[getattr(w, PERSON[key]).pk],
        )
        log = services.do_create_log(staff, data)
        services.do_add_attachment(staff, log, attachments.prepare(png_upload()))
        made[key] = log
    return made[key]


def log_pk(key):
    return lambda w: world_log(w, key).pk


def attachment_pk(key):
    return lambda w: world_log(w, key).attachments.get().pk


def page(name, arg=None):
    if arg is None:
        return lambda w: reverse(name)
    return lambda w: reverse(name, args=[arg(w)])


def view(seers, anonymous=302, ok=200):
    return {**{p: ok for p in seers}, "anonymous": anonymous}


def write(seers, ok, anonymous=302):
    """Record holders who see the object get `ok`, the read-only leader 403."""
    expect = {p: (403 if p == "leader" else ok) for p in seers}
    expect["anonymous"] = anonymous
    return expect


def log_form(key):
    def data(w):
        return {
            "persons": [getattr(w, PERSON[key]).pk],
            "happened_on": timezone.localdate(),
            "mode": "visit",
            "summary": "电话回访",
            "version": 1,
        }

    return data


def holders(ok, anonymous=302):
    return {**{p: ok for p in RECORDERS}, "anonymous": anonymous}


CASES = [
    Case("engagement:contact_list", "GET", page("engagement:contact_list"), view(VIEWERS), 404),
    Case(
        "engagement:person_picker",
        "GET",
        page("engagement:person_picker"),
        view(VIEWERS),
        404,
        data=lambda w: {"q": "zqs"},
    ),
    Case("engagement:contact_create", "GET", page("engagement:contact_create"), holders(200), 404),
    Case("engagement:mobile_home", "GET", page("engagement:mobile_home"), holders(200), 404),
    Case("engagement:mobile_log", "GET", page("engagement:mobile_log"), holders(200), 404),
    Case("GET /api/v1/engagement/contacts/", "GET", lambda w: API, view(VIEWERS, 401), 404),
    Case(
        "GET /api/v1/engagement/contacts/person-picker",
        "GET",
        lambda w: API + "person-picker",
        view(VIEWERS, 401),
        404,
        data=lambda w: {"q": "zqs"},
    ),
]

for key in ("A1", "A2", "B1"):
    seers = SEES[key]
    # A person the user cannot see answers 404 even to a record holder; the leader, who
    # records nothing, is turned away (404) before any person is looked at.
    create_ok = {p: 302 for p in seers if p != "leader"}
    api_create = {p: 201 for p in seers if p != "leader"}
    CASES += [
        Case(
            "engagement:contact_create",
            "POST",
            page("engagement:contact_create"),
            {**create_ok, "anonymous": 302},
            404,
            data=log_form(key),
            scope=key,
        ),
        Case(
            "engagement:mobile_log",
            "POST",
            page("engagement:mobile_log"),
            {**create_ok, "anonymous": 302},
            404,
            data=lambda w, k=key: {**log_form(k)(w), "photo": png_upload()},
            scope=key,
        ),
        Case(
            "engagement:contact_detail",
            "GET",
            page("engagement:contact_detail", log_pk(key)),
            view(seers),
            404,
            scope=key,
        ),
        Case(
            "engagement:mobile_saved",
            "GET",
            page("engagement:mobile_saved", log_pk(key)),
            view(seers),
            404,
            scope=key,
        ),
        Case(
            "engagement:contact_edit",
            "GET",
            page("engagement:contact_edit", log_pk(key)),
            write(seers, 200),
            404,
            scope=key,
        ),
        Case(
            "engagement:contact_edit",
            "POST",
            page("engagement:contact_edit", log_pk(key)),
            write(seers, 302),
            404,
            data=log_form(key),
            scope=key,
        ),
        Case(
            "engagement:contact_delete",
            "GET",
            page("engagement:contact_delete", log_pk(key)),
            write(seers, 200),
            404,
            scope=key,
        ),
        Case(
            "engagement:contact_delete",
            "POST",
            page("engagement:contact_delete", log_pk(key)),
            write(seers, 302),
            404,
            scope=key,
        ),
        Case(
            "engagement:attachment_upload",
            "POST",
            page("engagement:attachment_upload", log_pk(key)),
            write(seers, 302),
            404,
            data=lambda w: {"files": png_upload()},
            scope=key,
        ),
        Case(
            "engagement:attachment_file",
            "GET",
            page("engagement:attachment_file", attachment_pk(key)),
            view(seers),
            404,
            scope=key,
        ),
        Case(
            "engagement:attachment_delete",
            "POST",
            page("engagement:attachment_delete", attachment_pk(key)),
            write(seers, 302),
            404,
            scope=key,
        ),
        # --- API -------------------------------------------------------------------------
        Case(
            "POST /api/v1/engagement/contacts/",
            "POST",
            lambda w: API,
            {**api_create, "anonymous": 401},
            404,
            data=lambda w, k=key: {
                **log_form(k)(w),
                "happened_on": str(log_form(k)(w)["happened_on"]),
            },
            json=True,
            scope=key,
        ),
        Case(
            "GET /api/v1/engagement/contacts/{log_id}",
            "GET",
            lambda w, k=key: f"{API}{world_log(w, k).pk}",
            view(seers, 401),
            404,
            scope=key,
        ),
        Case(
            "PUT /api/v1/engagement/contacts/{log_id}",
            "PUT",
            lambda w, k=key: f"{API}{world_log(w, k).pk}",
            write(seers, 200, 401),
            404,
            data=lambda w, k=key: {
                **log_form(k)(w),
                "happened_on": str(log_form(k)(w)["happened_on"]),
            },
            json=True,
            scope=key,
        ),
        Case(
            "DELETE /api/v1/engagement/contacts/{log_id}",
            "DELETE",
            lambda w, k=key: f"{API}{world_log(w, k).pk}",
            write(seers, 204, 401),
            404,
            scope=key,
        ),
        Case(
            "GET /api/v1/engagement/contacts/{log_id}/attachments",
            "GET",
            lambda w, k=key: f"{API}{world_log(w, k).pk}/attachments",
            view(seers, 401),
            404,
            scope=key,
        ),
        Case(
            "POST /api/v1/engagement/contacts/{log_id}/attachments",
            "POST",
            lambda w, k=key: f"{API}{world_log(w, k).pk}/attachments",
            write(seers, 201, 401),
            404,
            data=lambda w: {"file": png_upload()},
            scope=key,
        ),
        Case(
            "GET /api/v1/engagement/contacts/attachments/{attachment_id}",
            "GET",
            lambda w, k=key: f"{API}attachments/{attachment_pk(k)(w)}",
            view(seers, 401),
            404,
            scope=key,
        ),
        Case(
            "DELETE /api/v1/engagement/contacts/attachments/{attachment_id}",
            "DELETE",
            lambda w, k=key: f"{API}attachments/{attachment_pk(k)(w)}",
            write(seers, 204, 401),
            404,
            scope=key,
        ),
    ]
