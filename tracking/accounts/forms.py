import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.template.loader import render_to_string

from ..delivery.outbox import Outgoing, Rendered, outbox_add, outbox_send


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's password-reset form, whose e-mail goes through the outbox like every other
    message: written under its own key, then sent at once (the link is wanted now). The link
    points at SITE_URL, never at the request's Host header, which the sender of the form chose."""

    def save(self, **options):
        site = urlsplit(settings.SITE_URL)
        options |= {"domain_override": site.netloc, "use_https": site.scheme == "https"}
        options["extra_email_context"] = {**(options.get("extra_email_context") or {}), "site_url": settings.SITE_URL}
        return super().save(**options)

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        text = render_to_string(email_template_name, context)
        html = render_to_string(html_email_template_name, context) if html_email_template_name else ""
        about = f"password-reset:{context['user'].pk}:{uuid.uuid4().hex}"
        user = context["user"]
        outbox_add(about, [Outgoing(key=about, to=user, message=Rendered(subject=subject, text=text, html=html))])
        outbox_send([about])
