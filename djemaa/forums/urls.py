from django.urls import path, re_path

from . import views

app_name = "forums"
urlpatterns = [
    path("", views.index, name="index"),
    # Slugs keep the title's script (Arabic titles give Arabic slugs), so any character but
    # "/" may follow the id; [0-9] rather than \d, which would also match Arabic-Indic digits.
    re_path(r"^f/(?P<pk>[0-9]+)-(?P<slug>[^/]+)/$", views.forum, name="forum"),
    path("f/<int:pk>/", views.forum, name="forum_short"),
]
