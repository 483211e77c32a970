from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views

app_name = "accounts"
urlpatterns = [
    # <str:…> takes anything but "/", which usernames may not contain (services.clean_username).
    path("u/<str:username>/", views.profile, name="profile"),
    path("u/<str:username>/ban/", views.ban, name="ban"),
    path("u/<str:username>/ban/lift/", views.lift_ban, name="lift_ban"),
    path("login/", views.SignInView.as_view(), name="login"),
    path("login/code/", views.login_code, name="login_code"),
    # Django's LogoutView answers POST only: a link or an image could not sign anyone out.
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("logout/everywhere/", views.logout_everywhere, name="logout_everywhere"),
    path("register/", views.register, name="register"),
    path("register/sent/", views.register_sent, name="register_sent"),
    path("register/resend/", views.resend_confirmation, name="resend_confirmation"),
    path("register/confirm/<str:token>/", views.confirm, name="confirm"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_sent.html"),
        name="password_reset_sent",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_done.html"
        ),
        name="password_reset_done",
    ),
    path("settings/", views.settings_page, name="settings"),
    path("settings/preferences/", views.save_preferences, name="save_preferences"),
    path("settings/email/", views.change_email, name="change_email"),
    path("settings/email/confirm/<str:token>/", views.confirm_email, name="confirm_email"),
    path("settings/password/", views.change_password, name="change_password"),
    path("settings/two-factor/", views.two_factor_setup, name="two_factor_setup"),
    path("settings/two-factor/off/", views.two_factor_disable, name="two_factor_disable"),
    path("settings/two-factor/recovery/", views.recovery_codes, name="recovery_codes"),
]
