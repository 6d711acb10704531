"""Pages for whoever runs the product, not for its users: the load balancer's health check and
a floor to measure pages against."""

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


@login_not_required
@require_GET
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


@require_GET
def floor(request):
    """A signed-in page that renders only the base layout, so every page's time can be read as
    a multiple of what any page costs at least."""
    return render(request, "base.html")
