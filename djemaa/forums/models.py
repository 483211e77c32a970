from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    """A node of the forum tree: a top-level category, a forum in it, or a sub-forum.

    Counters include everything below the node, so the index shows a category's totals
    without summing its children on each request.
    """

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(max_length=200, allow_unicode=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    position = models.IntegerField(_("position"), default=0)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    thread_count = models.PositiveIntegerField(default=0, editable=False)
    post_count = models.PositiveIntegerField(default=0, editable=False)
    last_post = models.ForeignKey(
        "posts.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.slug = self.slug or slugify(self.title, allow_unicode=True)[:200]
        self.depth = self.parent.depth + 1 if self.parent_id else 0
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("forums:forum", kwargs={"pk": self.pk, "slug": self.slug or "-"})

    def ancestor_ids(self) -> list[int]:
        """This node's id and its ancestors', nearest first (the tree is a few levels deep)."""
        ids, node = [], self
        while node is not None:
            ids.append(node.pk)
            node = node.parent
        return ids


class Announcement(models.Model):
    """A notice shown above threads: site-wide, or in one category and everything below it."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"))
    body_html = models.TextField(blank=True, editable=False)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.CASCADE, related_name="announcements"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "-id"]

    def __str__(self) -> str:
        return self.title
