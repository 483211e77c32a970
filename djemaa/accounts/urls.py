from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    # <str:…> takes anything but "/", which usernames may not contain (services.clean_username).
    path("u/<str:username>/", views.profile, name="profile"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    # Django's LogoutView answers POST only: a link or an image could not sign anyone out.
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
