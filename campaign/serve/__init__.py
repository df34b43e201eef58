"""The volunteer studio: `campaign serve`, a small web application for volunteers.

It owns the web layer only: the studio page (make one quote card in the browser, rendered
by the same Pillow engine as `campaign card`), the live campaign page (the volunteer pack's
content, rebuilt when the campaign's files change), the render API, input limits, the
per-client rate limit and the security headers. Cards come from `campaign.cards`, the
campaign page from `campaign.pack`; the campaign's highlights and cards are built by a
function the caller passes in (the CLI passes `campaign.pipeline.build`), so nothing here
imports the orchestration. Starlette and uvicorn are imported only when an app is made.

- `create_app(studio, campaign=None) -> Starlette`: the ASGI application (`campaign.serve.app`).
- `serve(app, host="127.0.0.1", port=8000)`: run it under uvicorn.
- `StudioOptions`, `studio_options(...)`: what the organizer allows (`campaign.serve.options`).
- `LiveCampaign`: the campaign page's content, rebuilt on change (`campaign.serve.content`).
"""

from campaign.serve.content import LiveCampaign, Snapshot
from campaign.serve.inputs import (
    LIMITS,
    CardRequest,
    InputError,
    detect_language,
    parse_card_request,
)
from campaign.serve.options import StudioOptions, ThemeChoice, studio_options

__all__ = [
    "LIMITS",
    "CardRequest",
    "InputError",
    "LiveCampaign",
    "Snapshot",
    "StudioOptions",
    "ThemeChoice",
    "create_app",
    "detect_language",
    "parse_card_request",
    "serve",
    "studio_options",
]


def __getattr__(name: str) -> object:
    # The web framework is imported only when an app is made (`campaign --help` stays fast).
    if name in ("create_app", "serve"):
        from campaign.serve import app

        return getattr(app, name)
    raise AttributeError(name)
