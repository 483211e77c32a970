from .bans import active_ban


def ban(request):
    # A callable: templates call it only where the banner is drawn, and the signed-in user
    # already carries its ban (backends.get_user), so no page pays a query for it.
    return {"active_ban": lambda: active_ban(request.user)}
