"""The Centre Manager's page of field kits: register one for an outreach (with its one-time
enrolment code), see each kit's sync, resolve conflicts, revoke a lost kit."""

import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from huduma.accounts import devices
from huduma.accounts.models import Role, User
from huduma.accounts.permissions import require_centre
from huduma.core.errors import DomainError
from huduma.core.qr import qr_svg
from huduma.outreach import enrolment, selectors, sync_conflicts, sync_selectors
from huduma.outreach.plan_models import Outreach
from huduma.outreach.sync_models import FieldKit, SyncConflict
from huduma.places.models import Centre


class FieldKitForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name of the kit"), max_length=80)
    outreach = forms.ModelChoiceField(
        label=gettext_lazy("Outreach"),
        queryset=Outreach.objects.none(),
        empty_label=gettext_lazy("Choose the outreach"),
        help_text=gettext_lazy("A coming outreach of this centre, agreed or announced."),
        error_messages={"required": gettext_lazy("Choose the outreach this kit goes to.")},
    )
    officers = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Officers going"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": gettext_lazy("Choose among the officers the outreach's plan sends.")
        },
        help_text=gettext_lazy(
            "Leave every box empty to send the officers the outreach's plan assigns."
        ),
    )

    def __init__(self, *args, centre: Centre, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outreach"].queryset = selectors.kit_outreaches(centre)
        # The officers the plans of those outreaches send; the service checks the one chosen.
        self.fields["officers"].queryset = (
            User.objects.filter(
                centre=centre,
                is_active=True,
                outreach_assignments__outreach__in=self.fields["outreach"].queryset,
            )
            .distinct()
            .order_by("first_name", "username")
        )


def _managed_centre(request, code: str) -> Centre:
    centre = get_object_or_404(Centre, code=code)
    require_centre(request.user, centre, Role.CENTRE_MANAGER)
    return centre


def _page(request, centre: Centre, form: FieldKitForm, status: int = 200, **extra):
    context = {
        "centre": centre,
        "form": form,
        "kits": sync_selectors.field_kits_for_centre(centre),
        "conflicts": sync_selectors.open_conflicts(centre),
        "codes": sync_selectors.flagged_codes(centre),
        "refused": sync_selectors.refused_records(centre),
        # The register form's key: the same form sent twice registers one kit.
        "request_key": uuid.uuid4().hex,
        **extra,
    }
    return render(request, "outreach/field_kits.html", context, status=status)


@login_required
def field_kits(request, code: str):
    centre = _managed_centre(request, code)
    form = FieldKitForm(request.POST or None, centre=centre)
    if request.method != "POST":
        return _page(request, centre, form)
    if not form.is_valid():
        errors = {name: errs[0] for name, errs in form.errors.items()}
        return _page(request, centre, form, status=400, errors=errors)
    try:
        registered = enrolment.field_kit_register_once(
            centre=centre,
            actor=request.user,
            request_key=request.POST.get("request_key") or None,
            **form.cleaned_data,
        )
    except DomainError as exc:
        return _page(request, centre, form, status=400, errors={exc.field or "name": exc.message})
    return _enrol_page(request, centre, registered.kit, registered.code, registered.repeated)


def _enrol_page(request, centre: Centre, kit: FieldKit, code: str, repeated: bool = False):
    server = request.build_absolute_uri("/").rstrip("/")
    command = f"HUDUMA_MODE=field manage.py fieldkit enroll --server {server} --code {code}"
    return _page(
        request,
        centre,
        FieldKitForm(centre=centre),
        new_kit=kit,
        enrol_code=code,
        enrol_command=command,
        qr=qr_svg(command),
        repeated=repeated,
    )


@login_required
@require_POST
def field_kit_code(request, code: str, node_id: str):
    """A fresh enrolment code for a kit not enrolled yet (the first lost or expired)."""
    centre = _managed_centre(request, code)
    kit = get_object_or_404(
        FieldKit.objects.select_related("device"), node_id=node_id, device__centre=centre
    )
    try:
        enrol_code = enrolment.field_kit_code_reissue(kit=kit, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("outreach:field_kits", centre.code)
    return _enrol_page(request, centre, kit, enrol_code, repeated=True)


@login_required
@require_POST
def field_kit_revoke(request, code: str, node_id: str):
    centre = _managed_centre(request, code)
    kit = get_object_or_404(FieldKit, node_id=node_id, device__centre=centre)
    if request.POST.get("confirm") != "yes":
        # Revoking cannot be undone (the kit must be enrolled again): ask first.
        return _page(request, centre, FieldKitForm(centre=centre), confirm_revoke=kit)
    try:
        devices.device_revoke(device=kit.device, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(name)s is revoked: whatever it sends from now on is refused.")
            % {"name": kit.device.name},
        )
    return redirect("outreach:field_kits", centre.code)


@login_required
def conflict_resolve(request, code: str, conflict_id: int):
    """The conflict, field by field (server's value, kit's value, who made each and when), and
    the choice: keep the server's, or take the kit's where a kit may set those fields."""
    centre = _managed_centre(request, code)
    conflict = get_object_or_404(
        SyncConflict.objects.select_related("kit__device", "resolved_by"),
        pk=conflict_id,
        kit__device__centre=centre,
    )
    if request.method != "POST":
        return _conflict_page(request, centre, conflict)
    choice = request.POST.get("choice", "")
    if choice not in ("keep_server", "take_kit"):
        raise Http404
    try:
        sync_conflicts.conflict_resolve(conflict=conflict, choice=choice, actor=request.user)
    except DomainError as exc:
        return _conflict_page(request, centre, conflict, error=exc.message, status=409)
    messages.success(request, _("Conflict resolved."))
    return redirect("outreach:field_kits", centre.code)


def _conflict_page(request, centre, conflict, *, error: str = "", status: int = 200):
    open_ = conflict.status == SyncConflict.Status.OPEN
    context = {
        "centre": centre,
        "conflict": conflict,
        "rows": sync_conflicts.conflict_fields(conflict),
        "server_change": sync_selectors.server_change(conflict),
        "take_kit_refusal": sync_conflicts.take_kit_refusal(conflict) if open_ else None,
        "error": error,
    }
    return render(request, "outreach/conflict.html", context, status=status)
