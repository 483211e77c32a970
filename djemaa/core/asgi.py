"""Django's ASGI handler, with the middleware and the view run as one synchronous call."""

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler


class OneHopASGIHandler(ASGIHandler):
    """Runs the middleware chain and the view as under WSGI, in one call in the request's
    thread.

    Django's ASGIHandler builds its middleware chain for async. With our synchronous
    middleware (ReaderPreferencesMiddleware) and views, a request then crossed between the
    event loop and its thread four times: into the chain, back out around our middleware,
    in again for CSRF's process_view, and again for the view; each crossing is a hand-off
    between threads. Here it crosses once. The middleware, their order and the thread that
    runs the request's synchronous code (the request's own, thread_sensitive within
    ASGIHandler's ThreadSensitiveContext) are what they were.
    """

    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)

    async def get_response_async(self, request):
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)
