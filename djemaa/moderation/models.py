from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ThreadRedirect(models.Model):
    """The address of a thread merged into another one, which now leads to that other one.

    The merged thread's row is gone, so its id is kept here as a plain number.
    """

    old_thread_id = models.PositiveIntegerField(primary_key=True)
    target = models.ForeignKey("threads.Thread", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"thread {self.old_thread_id} -> {self.target_id}"


class ModerationAction(models.Model):
    """One line of the moderation log: who did what to which thread or post, and why."""

    class Kind(models.TextChoices):
        # Shown only through the log's sentences (templatetags/moderation.py), never as labels.
        PIN = "pin"
        UNPIN = "unpin"
        LOCK = "lock"
        UNLOCK = "unlock"
        MOVE = "move"
        RENAME = "rename"
        MERGE = "merge"
        SPLIT = "split"
        DELETE_THREAD = "delete_thread"
        RESTORE_THREAD = "restore_thread"
        DELETE_POST = "delete_post"
        RESTORE_POST = "restore_post"
        RESOLVE_REPORT = "resolve_report"
        DISMISS_REPORT = "dismiss_report"
        CREATE_ANNOUNCEMENT = "create_announcement"
        UPDATE_ANNOUNCEMENT = "update_announcement"
        DELETE_ANNOUNCEMENT = "delete_announcement"
        APPROVE_POST = "approve_post"
        APPROVE_THREAD = "approve_thread"
        REJECT_POST = "reject_post"
        REJECT_THREAD = "reject_thread"
        BAN = "ban"
        LIFT_BAN = "lift_ban"

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    thread = models.ForeignKey(
        "threads.Thread", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    post = models.ForeignKey(
        "posts.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What the log must still say once the objects change or go: titles, forums, counts.
    details = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} by {self.actor_id}"


class Report(models.Model):
    """A member's report of a post; open until a moderator resolves or dismisses it."""

    class Outcome(models.TextChoices):
        # "resolved": a moderator acted on the post; "dismissed": nothing was wrong with it.
        RESOLVED = "resolved"
        DISMISSED = "dismissed"

    post = models.ForeignKey("posts.Post", on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["post", "reporter"],
                condition=Q(closed_at__isnull=True),
                name="one_open_report_per_member_and_post",
            )
        ]
        indexes = [models.Index(fields=["closed_at", "created_at"], name="report_queue")]

    def __str__(self) -> str:
        return f"report of post {self.post_id} by {self.reporter_id}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None
