"""The accounts: a person who signs in, and the audit of their sign-ins.

They are models of the `tracking` app (its migrations hold them), defined here and imported by
tracking/models.py; the core's memberships point at the user.
"""

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..validators import SingleLineCharField, validate_timezone


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in with an e-mail address."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("e-mail"), unique=True)
    full_name = SingleLineCharField(_("full name"), max_length=150, blank=True)
    language = SingleLineCharField(_("language"), max_length=8, default="en", help_text=_("Language of e-mails."))
    timezone = SingleLineCharField(
        _("time zone"),
        max_length=64,
        default="UTC",
        validators=[validate_timezone],
        help_text=_("The weekly digest arrives on Monday at 08:00 in this time zone."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        app_label = "tracking"
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class SignInEventKind(models.TextChoices):
    SIGNED_IN = "signed_in", _("Signed in")
    FAILED = "failed", _("Failed sign-in")
    LOCKED_OUT = "locked_out", _("Sign-in refused: too many failures")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    PASSWORD_RESET = "password_reset", _("Password reset by e-mail")


class SignInEvent(models.Model):
    """One line of a user's sign-in audit: what happened, from which address, when.

    `email` is the address as typed, so failures against unknown accounts are kept too
    (`user` is then empty)."""

    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="sign_in_events")
    email = models.CharField(_("e-mail"), max_length=254, blank=True)
    kind = models.CharField(_("event"), max_length=20, choices=SignInEventKind.choices)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=200, blank=True)
    at = models.DateTimeField(_("time"))

    class Meta:
        app_label = "tracking"
        verbose_name = _("sign-in event")
        verbose_name_plural = _("sign-in events")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["user", "-at"], name="signin_user_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.email} · {self.at:%Y-%m-%d %H:%M}"
