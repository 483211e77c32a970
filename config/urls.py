from django.urls import include, path

urlpatterns = [
    path("", include("djemaa.forums.urls")),
    path("t/", include("djemaa.threads.urls")),
    path("p/", include("djemaa.posts.urls")),
    path("moderation/", include("djemaa.moderation.urls")),
    path("administration/", include("djemaa.permissions.urls")),
    path("", include("djemaa.search.urls")),
    path("", include("djemaa.accounts.urls")),
    path("", include("djemaa.core.urls")),
]
