from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Post(models.Model):
    class Format(models.TextChoices):
        MARKDOWN = "markdown", "Markdown"
        BBCODE = "bbcode", "BBCode"

    thread = models.ForeignKey("threads.Thread", on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="posts"
    )
    # Stable position in the thread: #1 opens it; given under a lock, never changed or reused.
    number = models.PositiveIntegerField(editable=False)
    source = models.TextField(_("text"))
    format = models.CharField(max_length=16, choices=Format.choices, default=Format.MARKDOWN)
    # Rendered once at write time, so reading a thread never parses markup.
    html = models.TextField(editable=False)
    renderer_version = models.PositiveSmallIntegerField(default=0, editable=False)
    has_links = models.BooleanField(default=False, editable=False)
    has_quotes = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set while a new member's post waits for a moderator (DJEMAA_HOLD_FIRST_POSTS): only its
    # author and the forum's moderators see it, and it counts nowhere until approved.
    held_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The one-time token of the form that wrote the post: a second submission of that form
    # (a double click, a resent request) finds this post instead of writing another.
    submission_token = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["thread", "number"], name="post_number_once_per_thread"
            ),
            models.UniqueConstraint(
                fields=["author", "submission_token"],
                condition=~models.Q(submission_token=""),
                name="post_submitted_once",
            ),
        ]
        indexes = [
            models.Index(fields=["author", "-created_at"], name="post_by_author"),
            models.Index(fields=["thread", "created_at"], name="post_thread_time"),
            # The moderators' queue of held posts, oldest first.
            models.Index(
                fields=["held_at"], condition=models.Q(held_at__isnull=False), name="post_held"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number} in {self.thread_id}"

    def get_absolute_url(self) -> str:
        return reverse("posts:permalink", args=[self.pk])

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_held(self) -> bool:
        return self.held_at is not None


class PostRevision(models.Model):
    """One version of a post's text. Revision 1 is what was first posted; each edit adds one."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    source = models.TextField()
    format = models.CharField(max_length=16, choices=Post.Format.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["post", "number"]
        constraints = [
            models.UniqueConstraint(fields=["post", "number"], name="revision_number_once")
        ]

    def __str__(self) -> str:
        return f"revision {self.number} of post {self.post_id}"


class Draft(models.Model):
    """What a member is writing and has not posted yet, kept on the server across reloads.

    One per member and thread for a reply; one per member and forum (no thread) for a new thread.
    """

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey("forums.Category", on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(
        "threads.Thread", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(max_length=200, blank=True)
    source = models.TextField(blank=True)
    reply_to = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["author", "thread"],
                condition=models.Q(thread__isnull=False),
                name="draft_once_per_thread",
            ),
            models.UniqueConstraint(
                fields=["author", "category"],
                condition=models.Q(thread__isnull=True),
                name="draft_once_per_new_thread",
            ),
        ]

    def __str__(self) -> str:
        return f"draft by {self.author_id} in {self.thread_id or self.category_id}"
