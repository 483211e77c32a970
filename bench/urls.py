"""Djemaa's URLs with one more: a view returning 1 KB, like the peers' gunicorn baseline."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as djemaa_urlpatterns

# The size of the shared baseline's page (../shared/bench/peers/sites/baseline).
BODY = b"<!doctype html><title>ceiling</title><p>" + b"x" * (1024 - 44) + b"</p>"


def one_kilobyte(request: HttpRequest) -> HttpResponse:
    return HttpResponse(BODY, content_type="text/html; charset=utf-8")


urlpatterns = [path("bench/1k/", one_kilobyte), *djemaa_urlpatterns]
