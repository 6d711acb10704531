from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import services
from ..accounts.views import in_their_language
from ..forms import InvitationAcceptForm
from ..invitations import invitation_by_link


@login_not_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request, uidb64: str, token: str):
    """The e-mailed link of a new account: choose a password, join that one business."""
    invitation = invitation_by_link(uidb64, token)
    if invitation is None:
        return render(request, "tracking/invitation_invalid.html", status=404)
    if request.user.is_authenticated and request.user.pk != invitation.user_id:
        # The link signs in the account it creates: whoever is signed in here is asked first,
        # and stays signed in unless they choose to sign out (a POST to logout, back here).
        status = 409 if request.method == "POST" else 200
        return render(request, "tracking/invitation_signed_in.html", {"invitation": invitation}, status=status)
    user = invitation.user
    form = InvitationAcceptForm(
        user, request.POST or None, initial={"full_name": invitation.invited_name or user.full_name}
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                membership=invitation,
                password=form.cleaned_data["new_password1"],
                full_name=form.cleaned_data["full_name"],
            )
        except ValidationError:
            return render(request, "tracking/invitation_invalid.html", status=404)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome! Your account is ready."))
        return in_their_language(redirect("tracking:portfolio"), request, user)
    return render(request, "tracking/invitation_accept.html", {"form": form, "invitation": invitation})
