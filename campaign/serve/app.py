"""The ASGI application: routes, security headers, and running it under uvicorn.

Every response carries a strict Content-Security-Policy (scripts, styles and images from
this server only, no frames, no forms posted elsewhere), `nosniff`, `no-referrer` and a
same-origin resource policy. The page makes no request to any other host; the server opens
no outgoing connection and reads no secret.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from campaign.serve.content import LiveCampaign
from campaign.serve.options import StudioOptions
from campaign.serve.ratelimit import RateLimiter
from campaign.serve.render import Renderer
from campaign.serve.views import Views

HERE = Path(__file__).resolve().parent
CSP = "; ".join([
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' blob:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
])
HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
]


class SecurityHeaders:
    """Adds the security headers to every response (a route may set its own, stricter CSP)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", CSP.encode()))
                headers += [(k, v) for k, v in HEADERS if k not in names]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _templates() -> Any:
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    return Environment(loader=PackageLoader("campaign", "serve/templates"),
                       autoescape=select_autoescape(default=True, default_for_string=True),
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def create_app(studio: StudioOptions, campaign: LiveCampaign | None = None) -> Starlette:
    """The studio as an ASGI app. `campaign` (optional) adds its highlights and `/campaign/`."""
    renderer = Renderer(studio)
    limiter = RateLimiter(studio.renders_per_minute)
    views = Views(studio, renderer, limiter, campaign, _templates())
    routes = [
        Route("/", views.studio),
        Route("/api/card", views.card, methods=["POST"]),
        Route("/campaign/", views.campaign_page),
        Route("/campaign/images/{name:str}", views.campaign_image),
        Route("/healthz", views.health),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        renderer.close()

    app = Starlette(routes=routes, lifespan=lifespan)
    app.add_middleware(SecurityHeaders)
    app.state.renderer = renderer
    app.state.limiter = limiter
    return app


def serve(app: Any, *, host: str = "127.0.0.1", port: int = 8000, proxy: bool = False,
          log_level: str = "info") -> None:
    """Run `app` under uvicorn until interrupted. With `proxy`, trust `X-Forwarded-For` from
    the loopback reverse proxy (the rate limit then counts the real client)."""
    import uvicorn

    uvicorn.run(app, host=host, port=port, log_level=log_level, server_header=False,
                proxy_headers=proxy, forwarded_allow_ips="127.0.0.1" if proxy else None,
                workers=None, access_log=os.environ.get("CAMPAIGN_ACCESS_LOG") == "1",
                timeout_keep_alive=5, limit_concurrency=256)
