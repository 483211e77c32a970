"""Administrators' pages: groups, their members, and each forum's permission grid.

Everyone else gets a 404 from each of them (the services check), as for a page that does
not exist.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods, require_POST

from djemaa.core.errors import ServiceError
from djemaa.core.templatetags.djemaa import member_name
from djemaa.forums.models import Category
from djemaa.forums.querysets import forum_index

from . import rules, services
from .models import group_label


def _with_member(sentence: str, member) -> str:
    # The sentence is escaped and the name isolated, as the member_name filter does in pages.
    return mark_safe(escape(sentence) % {"name": member_name(member)})


def _administrators_only(request: HttpRequest) -> None:
    if not rules.can_manage_permissions(request.user):
        raise Http404


@require_http_methods(["GET", "HEAD", "POST"])
def groups(request: HttpRequest) -> HttpResponse:
    """The groups with their number of members, and the form that adds one."""
    _administrators_only(request)
    name, error = "", None
    if request.method == "POST":
        name = request.POST.get("name", "")
        try:
            group = services.create_group(request.user, name=name)
        except ServiceError as exc:
            error = exc.message
        else:
            messages.success(request, _("The group was added."))
            return redirect("permissions:group", pk=group.pk)
    rows = [
        (group, group_label(group), group.member_count, services.takes_members(group))
        for group in services.groups_in_order()
    ]
    context = {"rows": rows, "name": name, "error": error}
    return render(request, "permissions/groups.html", context, status=400 if error else 200)


@require_http_methods(["GET", "HEAD", "POST"])
def group(request: HttpRequest, pk: int) -> HttpResponse:
    """A group's members, and the form that adds one by name."""
    _administrators_only(request)
    group = get_object_or_404(Group, pk=pk)
    username, error = "", None
    if request.method == "POST":
        username = request.POST.get("username", "")
        try:
            member = services.add_member(request.user, group, username=username)
        except ServiceError as exc:
            error = exc.message
        else:
            messages.success(request, _with_member(_("%(name)s was added to the group."), member))
            return redirect("permissions:group", pk=group.pk)
    context = {
        "group": group,
        "label": group_label(group),
        "takes_members": services.takes_members(group),
        "members": list(group.user_set.order_by("username")),
        "username": username,
        "error": error,
    }
    return render(request, "permissions/group.html", context, status=400 if error else 200)


@require_POST
def remove_member(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    _administrators_only(request)
    group = get_object_or_404(Group, pk=pk)
    member = get_object_or_404(get_user_model(), pk=member_pk)
    try:
        services.remove_member(request.user, group, member)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _with_member(_("%(name)s was taken out of the group."), member))
    return redirect("permissions:group", pk=group.pk)


def forums(request: HttpRequest) -> HttpResponse:
    """The forum tree, each forum leading to its grid."""
    _administrators_only(request)
    return render(request, "permissions/forums.html", {"sections": forum_index(request.user)})


@require_http_methods(["GET", "HEAD", "POST"])
def grid(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """One forum's rights, group by group (without pk: the defaults for every forum).

    The whole grid is one form. On an error nothing is stored and the choices made are shown
    again, so nothing is lost.
    """
    _administrators_only(request)
    category = None if pk is None else get_object_or_404(Category, pk=pk)
    rows = services.forum_grid(request.user, category)
    error = None
    if request.method == "POST":
        wanted = {
            row.group: {
                right: request.POST.get(_field(row.group.pk, right), choice)
                for right, _label, choice, _result in row.cells
            }
            for row in rows
            if row.editable
        }
        try:
            services.set_forum_rights(request.user, category=category, choices=wanted)
        except ServiceError as exc:
            error = exc.message
            rows = _with_choices(rows, wanted)
        else:
            messages.success(request, _("The permissions were saved."))
            here = (
                reverse("permissions:root_grid")
                if pk is None
                else reverse("permissions:grid", args=[pk])
            )
            return redirect(here)
    context = {
        "category": category,
        "rows": [(row, group_label(row.group), _cells(row)) for row in rows],
        "choices": (
            (services.INHERIT, pgettext("permission choice", "Inherit")),
            (services.GRANT, pgettext("permission choice", "Yes")),
            (services.REFUSE, pgettext("permission choice", "No")),
        ),
        "error": error,
    }
    return render(request, "permissions/grid.html", context, status=400 if error else 200)


def _field(group_pk: int, right) -> str:
    return f"g{group_pk}-{int(right)}"


def _cells(row: services.GridRow) -> list[dict]:
    return [
        {"name": _field(row.group.pk, right), "label": label, "choice": choice, "result": result}
        for right, label, choice, result in row.cells
    ]


def _with_choices(rows: list[services.GridRow], wanted: dict) -> list[services.GridRow]:
    """The grid as it was sent back, for showing it again after an error."""
    for row in rows:
        if row.group in wanted:
            row.cells = [
                (right, label, wanted[row.group][right], result)
                for right, label, _choice, result in row.cells
            ]
    return rows
