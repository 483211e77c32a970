"""Django's ASGI handler, with the middleware and the view run as one synchronous call."""

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler


class OneHopASGIHandler(ASGIHandler):
    """Runs the middleware chain and the view as under WSGI, in one call in the request's
    thread.

    Django's ASGIHandler builds its middleware chain for async. Below our synchronous
    ReaderPreferencesMiddleware, Django's MessageMiddleware and XFrameOptionsMiddleware then
    ran async, each of their steps handed to the request's thread on its own, and so was the
    view: a page went between the event loop and its thread six times, each a hand-off
    between threads. Now three: request_started's receivers, the middleware with the view,
    closing the response (test_asgi counts them). The middleware, their order and the
    thread that runs the request's synchronous code (its own, thread_sensitive within
    ASGIHandler's ThreadSensitiveContext) are what they were.
    """

    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)

    async def get_response_async(self, request):
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)
