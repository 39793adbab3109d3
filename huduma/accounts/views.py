"""Staff sign-in and the staff pages of a centre, each checked for role and centre scope."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render

from huduma.accounts.models import User
from huduma.accounts.permissions import can_view_centre, is_national, require_centre, require_staff
from huduma.places.models import Centre


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@login_required
def home(request):
    if not request.user.role:
        raise PermissionDenied("Staff only")
    if request.user.centre_id and not is_national(request.user):
        return redirect("accounts:centre", code=request.user.centre.code)
    centres = Centre.objects.filter(status=Centre.Status.OPEN).select_related("county")
    return render(request, "accounts/home.html", {"centres": centres})


@login_required
def centre(request, code: str):
    centre = get_object_or_404(Centre, code=code)
    require_staff(request.user)
    require_centre(request.user, centre)
    staff = (
        User.objects.filter(centre=centre, is_active=True)
        .select_related("mda")
        .order_by("role", "last_name")
    )
    counters = centre.counters.prefetch_related("skills__service").order_by("number")
    return render(
        request,
        "accounts/centre.html",
        {
            "centre": centre,
            "staff": staff,
            "counters": counters,
            "can_view": can_view_centre(request.user, centre),
        },
    )
