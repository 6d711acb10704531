"""Companies, members and invitations."""

import logging
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..access import ensure_can
from ..accounts import security
from ..models import MANAGING_ROLES, Company, Membership, Role, User
from ..roles import Permission

logger = logging.getLogger(__name__)

# A business's settings: the one list the forms, this module and the admin use.
COMPANY_SETTINGS_FIELDS = (
    "name",
    "timezone",
    "currency",
    "review_weekday",
    "review_time",
    "sprint_length_days",
    "reminder_lead_hours",
    "language",
)


@transaction.atomic
def company_create(*, creator: User, role: str, weekly_capacity_hours: Decimal = Decimal(0), **settings) -> Company:
    """A new business; its creator becomes its tracker or its entrepreneur."""
    if role not in MANAGING_ROLES:
        raise ValidationError({"role": _("The creator of a business is its tracker or its entrepreneur.")})
    company = Company(**{name: settings[name] for name in COMPANY_SETTINGS_FIELDS if name in settings})
    company.full_clean()
    company.save()
    membership = Membership(
        user=creator,
        company=company,
        role=role,
        weekly_capacity_hours=weekly_capacity_hours,
        accepted_at=timezone.now(),
    )
    membership.full_clean()
    membership.save()
    return company


@transaction.atomic
def company_update(*, company: Company, by: Membership, **changes) -> Company:
    ensure_can(by, Permission.MANAGE_COMPANY)
    for name, value in changes.items():
        if name not in COMPANY_SETTINGS_FIELDS:
            raise ValueError(f"{name} is not a company setting")
        setattr(company, name, value)
    company.full_clean()
    company.save()
    return company


@transaction.atomic
def membership_add(
    *,
    company: Company,
    by: Membership,
    email: str,
    role: str,
    weekly_capacity_hours: Decimal,
    full_name: str = "",
) -> Membership:
    """Invite a person by e-mail. The membership stays pending (no access) until they accept:
    a new address gets an account without a password and a link to choose one, an existing
    account an invitation to accept or decline from its portfolio (tracking/invitations.py).
    Both keep `full_name` as typed on the invitation, and nothing else of the account shows."""
    ensure_can(by, Permission.MANAGE_COMPANY)
    if role == Role.TRACKER:
        ensure_can(by, Permission.MANAGE_TRACKERS)
    email = User.objects.normalize_email(email).strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email,
            is_active=False,
            language=by.user.language,  # the invitation goes out in the inviter's language
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
    elif Membership.objects.filter(company=company, user=user).exists():
        raise ValidationError(
            {"email": _("%(email)s is already a member of this business, or invited to it.") % {"email": email}}
        )
    membership = Membership(
        company=company,
        user=user,
        role=role,
        weekly_capacity_hours=weekly_capacity_hours,
        invited_by=by.user,
        invited_name=full_name.strip(),
    )
    membership.full_clean()
    membership.save()
    _enqueue_invitation(membership)
    return membership


def _enqueue_invitation(membership: Membership) -> None:
    """After commit, hand the e-mail to Celery; if the broker is down the sweep sends it later."""
    from ..tasks import invitation_send

    def enqueue():
        try:
            invitation_send.delay(membership.pk)
        except Exception:  # a dead broker must not fail the request; the sweep retries
            logger.warning("Could not enqueue invitation %s; the sweep will send it", membership.pk)

    transaction.on_commit(enqueue)


def _lock_memberships(company: Company) -> None:
    """Serialise membership changes of one company (the last-manager rule spans rows)."""
    Company.objects.select_for_update().filter(pk=company.pk).first()


def _counted_managers():
    """The people who keep a business managed: trackers and entrepreneurs who accepted, on an
    active account. An invitation does not count, as it may yet be declined."""
    return Membership.objects.accepted().filter(role__in=MANAGING_ROLES, user__is_active=True)


def _would_leave_no_manager(company: Company, changing: Membership, new_role: str | None) -> bool:
    if changing.is_pending or changing.role not in MANAGING_ROLES or new_role in MANAGING_ROLES:
        return False
    return not _counted_managers().filter(company=company).exclude(pk=changing.pk).exists()


def businesses_only_managed_by(*, user: User, lock: bool = False) -> list[Company]:
    """The businesses that would have no tracker or entrepreneur left if the account were
    switched off: those where it is the only one counted. `lock` serialises with the
    membership changes of those businesses (inside a transaction)."""
    mine = _counted_managers().filter(user=user).values("company_id")
    companies = Company.objects.filter(pk__in=mine).order_by("pk")
    companies = list(companies.select_for_update() if lock else companies)
    others = _counted_managers().filter(company_id__in=[c.pk for c in companies]).exclude(user=user)
    managed = set(others.values_list("company_id", flat=True))
    return sorted((c for c in companies if c.pk not in managed), key=lambda c: (c.name, c.pk))


@transaction.atomic
def user_deactivate(*, user: User) -> User:
    """Switch the account off and end all its sessions. Refused while it is the last tracker or
    entrepreneur of a business: someone else takes the role first (or the business goes)."""
    if unmanaged := businesses_only_managed_by(user=user, lock=True):
        raise ValidationError(last_manager_refusal(user, unmanaged))
    user.is_active = False
    user.save(update_fields=["is_active"])
    security.user_sessions_end(user=user)
    return user


def last_manager_refusal(user: User, companies) -> str:
    names = ", ".join(f"“{company.name}”" for company in companies)
    text = ngettext(
        "%(user)s is the last tracker or entrepreneur of %(names)s: give the role to someone else first.",
        "%(user)s is the last tracker or entrepreneur of %(names)s: give the role to someone else first.",
        len(companies),
    )
    return text % {"user": user, "names": names}


@transaction.atomic
def membership_update(
    *, membership: Membership, by: Membership, role: str, weekly_capacity_hours: Decimal
) -> Membership:
    ensure_can(by, Permission.MANAGE_COMPANY)
    if role != membership.role:
        if membership.pk == by.pk:
            raise ValidationError({"role": _("Nobody changes their own role: ask another manager of the business.")})
        if Role.TRACKER in (role, membership.role):
            ensure_can(by, Permission.MANAGE_TRACKERS)
    _lock_memberships(membership.company)
    if _would_leave_no_manager(membership.company, membership, role):
        raise ValidationError(
            {"role": _("A business needs at least one tracker or entrepreneur: give the role to someone else first.")}
        )
    membership.role = role
    membership.weekly_capacity_hours = weekly_capacity_hours
    membership.full_clean()
    membership.save(update_fields=["role", "weekly_capacity_hours"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, by: Membership) -> None:
    ensure_can(by, Permission.MANAGE_COMPANY)
    if membership.role == Role.TRACKER and membership.pk != by.pk:
        ensure_can(by, Permission.MANAGE_TRACKERS)
    _lock_memberships(membership.company)
    if _would_leave_no_manager(membership.company, membership, None):
        raise ValidationError(
            _("%(name)s is the last tracker or entrepreneur of this business and cannot be removed.")
            % {"name": membership.name}
        )
    membership.delete()


@transaction.atomic
def invitation_accept(*, membership: Membership, password: str, full_name: str = "") -> User:
    """A new account's first invitation, from the e-mailed link: the person chose a password,
    the account becomes active and this one membership is accepted. Invitations from other
    businesses stay pending on the portfolio, to be answered there."""
    user = User.objects.select_for_update().get(pk=membership.user_id)
    if user.has_usable_password() or membership.accepted_at is not None:
        # invitation_by_link() already checked; a second submit of the same form lands here.
        raise ValidationError(_("This invitation was already used. Sign in with your password."))
    user.set_password(password)
    user.is_active = True
    user.full_name = full_name.strip()  # their own choice (the form starts from the inviter's)
    user.save(update_fields=["password", "is_active", "full_name"])
    _answer(membership, accept=True)
    return user


@transaction.atomic
def invitation_answer(*, membership: Membership, user: User, accept: bool) -> None:
    """The invited person accepts (the business appears in their portfolio) or declines (the
    invitation is gone) an invitation to an account they already have."""
    if membership.user_id != user.pk or membership.accepted_at is not None:
        raise ValidationError(_("This invitation is no longer open."))
    _answer(membership, accept=accept)


def _answer(membership: Membership, *, accept: bool) -> None:
    if accept:
        membership.accepted_at = timezone.now()
        membership.save(update_fields=["accepted_at"])
        logger.info("Invitation %s to business %s accepted", membership.pk, membership.company_id)
    else:
        logger.info("Invitation %s to business %s declined", membership.pk, membership.company_id)
        membership.delete()
