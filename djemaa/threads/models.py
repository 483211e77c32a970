from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _


class Thread(models.Model):
    category = models.ForeignKey(
        "forums.Category", on_delete=models.PROTECT, related_name="threads"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="threads"
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(max_length=200, allow_unicode=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    is_pinned = models.BooleanField(_("pinned"), default=False)
    is_locked = models.BooleanField(_("locked"), default=False)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # A new thread whose first post is held for approval is held with it (posts.Post.held_at):
    # hidden from all but its author and moderators, and counted in no forum until approved.
    is_held = models.BooleanField(default=False, editable=False)
    # The highest post number ever given out: numbers are never reused, even after deletion.
    last_number = models.PositiveIntegerField(default=0, editable=False)
    post_count = models.PositiveIntegerField(default=0, editable=False)
    view_count = models.PositiveIntegerField(default=0, editable=False)
    # Grows with every write to the thread's posts (a database trigger, core.pagecache), so
    # a page kept for guests knows when it went out of date.
    version = models.PositiveBigIntegerField(default=0, editable=False)
    last_post = models.ForeignKey(
        "posts.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_activity_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(
                fields=["category", "-is_pinned", "-last_activity_at"], name="thread_listing"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.slug = self.slug or slugify(self.title, allow_unicode=True)[:200]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("threads:thread", kwargs={"pk": self.pk, "slug": self.slug or "-"})

    @property
    def reply_count(self) -> int:
        return max(self.post_count - 1, 0)


class ReadPosition(models.Model):
    """How far a member has read a thread: the highest post number they have been shown."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="read_positions")
    last_read_number = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "thread"], name="read_position_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.thread_id} to #{self.last_read_number}"
