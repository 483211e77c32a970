from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class MemberManager(UserManager):
    def get_by_natural_key(self, username):
        # Sign-in ignores case, as the uniqueness rule does.
        return self.get(username__iexact=username)


class User(AbstractUser):
    """A member. Usernames are unique whatever their case ("Amina" and "amina" are one name)."""

    signature = models.TextField(_("signature"), blank=True)
    signature_html = models.TextField(blank=True, editable=False)
    language = models.CharField(_("preferred language"), max_length=8, blank=True)
    timezone = models.CharField(_("time zone"), max_length=64, blank=True)
    post_count = models.PositiveIntegerField(default=0, editable=False)

    objects = MemberManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("username"), name="accounts_user_username_ci_unique")
        ]

    def __str__(self) -> str:
        return self.username

    def get_absolute_url(self) -> str:
        return reverse("accounts:profile", args=[self.username])
