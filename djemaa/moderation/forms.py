"""The moderators' forms: they parse and show input; the rules live in services.py."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from djemaa.forums.querysets import ForumNode
from djemaa.threads.services import MAX_TITLE_LENGTH

from .services import MAX_REASON_LENGTH

# "123", "/t/123/", "/t/123-some-title/" or a whole address: the thread's id is what counts.
_THREAD_REFERENCE = re.compile(r"(?:^|/t/)([0-9]+)(?:[-/]|$)")


def _reason_field(required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=_("Reason") if required else _("Reason (optional)"),
        required=required,
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )


def tree_choices(nodes: list[ForumNode], keep, depth: int = 0) -> list[tuple[int, str]]:
    """The forums of a tree kept by `keep(category)`, in tree order, indented by depth."""
    choices = []
    for node in nodes:
        if keep(node.category):
            choices.append((node.category.pk, "\u2003" * depth + node.category.title))
        choices.extend(tree_choices(node.children, keep, depth + 1))
    return choices


def forum_field(choices, label, **options) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(choices=choices, coerce=int, label=label, **options)


class ReasonForm(forms.Form):
    reason = _reason_field()


class RenameForm(forms.Form):
    title = forms.CharField(
        label=_("New title"),
        max_length=MAX_TITLE_LENGTH,
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )
    reason = _reason_field()


class MoveForm(forms.Form):
    reason = _reason_field()

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"] = forum_field(categories, _("Move to the forum"))
        self.order_fields(["category", "reason"])


class MergeForm(forms.Form):
    target = forms.CharField(
        label=_("Thread to merge into"),
        help_text=_("Its number or its address."),
        max_length=500,
    )
    reason = _reason_field()

    def clean_target(self) -> int:
        found = _THREAD_REFERENCE.search(self.cleaned_data["target"].strip())
        if not found:
            raise forms.ValidationError(_("Give the number or the address of a thread."))
        return int(found.group(1))


class SplitForm(forms.Form):
    title = forms.CharField(
        label=_("Title of the new thread"),
        max_length=MAX_TITLE_LENGTH,
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )
    reason = _reason_field()

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"] = forum_field(categories, _("In the forum"))
        self.order_fields(["title", "category", "reason"])


class ReportForm(forms.Form):
    reason = _reason_field(required=True)


class AnnouncementForm(forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=200, widget=forms.TextInput(attrs={"dir": "auto"})
    )
    body = forms.CharField(
        label=_("Text"),
        help_text=_("Markdown, as in posts."),
        widget=forms.Textarea(attrs={"rows": 8, "dir": "auto"}),
    )
    starts_at = forms.DateTimeField(
        label=_("Shown from"),
        required=False,
        help_text=_("Empty: from now on."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    ends_at = forms.DateTimeField(
        label=_("Shown until"),
        required=False,
        help_text=_("Empty: until it is removed."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"] = forum_field(
            [("", _("Everywhere on the site")), *categories],
            _("Where"),
            required=False,
            empty_value=None,
        )
        self.order_fields(["title", "body", "category", "starts_at", "ends_at"])
