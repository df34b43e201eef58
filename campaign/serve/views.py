"""The studio's routes: the studio page, the render API, the live campaign page, health."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any
from urllib.parse import quote as urlquote

from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    Response,
)

from campaign.errors import CardError
from campaign.serve.content import LiveCampaign, Snapshot
from campaign.serve.inputs import LIMITS, InputError, parse_card_request
from campaign.serve.options import StudioOptions, size_label
from campaign.serve.ratelimit import RateLimiter
from campaign.serve.render import Busy, Renderer

log = logging.getLogger("campaign.serve")
DEBOUNCE_MS = 350


class Views:
    """Request handlers bound to one studio's options, renderer, limiter and campaign."""

    def __init__(self, options: StudioOptions, renderer: Renderer, limiter: RateLimiter,
                 campaign: LiveCampaign | None, templates: Any) -> None:
        self.options = options
        self.renderer = renderer
        self.limiter = limiter
        self.campaign = campaign
        self.templates = templates

    def _snapshot(self) -> Snapshot:
        return self.campaign.snapshot() if self.campaign else Snapshot()

    async def studio(self, request: Request) -> Response:
        snap = self._snapshot()
        o = self.options
        highlights = list(snap.highlights)
        html = self.templates.get_template("studio.html.j2").render(
            title=o.title,
            language=o.language,
            has_campaign=self.campaign is not None,
            highlights=highlights,
            first=highlights[0] if highlights else None,
            themes=o.themes,
            sizes=[{"key": s, "label": size_label(s)} for s in o.sizes],
            formats=o.formats,
            default_format=o.default_format,
            limits=LIMITS,
            alt_limit=o.alt_limit,
            data={
                "highlights": [{k: h[k] for k in ("id", "text", "speaker", "role")} for h in highlights],
                "limits": {"quote": LIMITS.quote, "name": LIMITS.name, "role": LIMITS.role},
                "format": o.default_format,
                "debounce": DEBOUNCE_MS,
            },
        )
        return HTMLResponse(html, headers={"Cache-Control": "no-store"})

    async def card(self, request: Request) -> Response:
        """POST /api/card: JSON in, the image out; its alt text in `X-Alt-Text` (percent-encoded)."""
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return _error(415, "send application/json")
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > LIMITS.body):
            return _error(413, "request too large")
        raw = b""
        async for chunk in request.stream():
            raw += chunk
            if len(raw) > LIMITS.body:
                return _error(413, "request too large")
        client = request.client.host if request.client else "unknown"
        wait = self.limiter.take(client)
        if wait > 0:
            return _error(429, "too many cards at once; wait a moment",
                          headers={"Retry-After": str(max(1, round(wait + 0.5)))})
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return _error(400, "send a JSON object")
        try:
            req = parse_card_request(body, self.options, self._snapshot().highlight_map())
        except InputError as e:
            return _error(400, e.message, field=e.field)
        try:
            image = await self.renderer.render(req)
        except Busy:
            return _error(503, "the studio is busy; trying again shortly", headers={"Retry-After": "2"})
        except TimeoutError:
            return _error(503, "the card took too long to draw; try a shorter quote",
                          headers={"Retry-After": "2"})
        except CardError as e:
            return _error(422, _card_message(e))
        from campaign.cards.bidi import is_rtl_language

        return Response(image.data, media_type=image.media_type, headers={
            "Cache-Control": "no-store",
            "Content-Disposition": f'inline; filename="card-{req.size}.{"jpg" if req.fmt == "jpeg" else "png"}"',
            "X-Alt-Text": urlquote(image.alt, safe=""),
            "X-Card-Width": str(image.width),
            "X-Card-Height": str(image.height),
            "X-Card-Language": req.language,
            "X-Card-Direction": "rtl" if is_rtl_language(req.language) else "ltr",
        })

    async def campaign_page(self, request: Request) -> Response:
        snap = self._snapshot()
        if self.campaign is None or snap.pack_index is None:
            return _page(404, "No campaign here", "This studio was started without a campaign.")
        html = snap.pack_index.read_text(encoding="utf-8")
        headers = {"Cache-Control": "no-cache"}
        if snap.csp:  # the pack's own policy (its inline script and style, pinned by hash)
            headers["Content-Security-Policy"] = snap.csp + "; frame-ancestors 'none'"
        return HTMLResponse(html, headers=headers)

    async def campaign_image(self, request: Request) -> Response:
        # The name is only a key into the images this build wrote; it never becomes a path.
        name = request.path_params["name"]
        path: Path | None = self._snapshot().images.get(name)
        if path is None or not path.is_file():
            return PlainTextResponse("not found", status_code=404)
        return FileResponse(path, headers={"Cache-Control": "no-cache"})

    async def health(self, request: Request) -> Response:
        snap = self._snapshot()
        return JSONResponse({"ok": True, "campaign": self.campaign is not None,
                             "highlights": len(snap.highlights), "error": snap.error is not None})


def _card_message(e: CardError) -> str:
    text = str(e)
    if "fit" in text:
        return "this quote does not fit on this size at a readable font size: shorten it or pick a taller size"
    return "the card could not be drawn"


def _error(status: int, message: str, *, field: str | None = None,
           headers: dict[str, str] | None = None) -> Response:
    body: dict[str, Any] = {"error": message}
    if field:
        body["field"] = field
    return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store", **(headers or {})})


def _page(status: int, title: str, text: str) -> Response:
    from html import escape

    html = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
            f'content="width=device-width, initial-scale=1"><title>{escape(title)}</title>'
            f'<link rel="stylesheet" href="/static/studio.css"></head><body><main class="top">'
            f'<h1>{escape(title)}</h1><p>{escape(text)}</p><p><a href="/">Back to the card studio</a>'
            f'</p></main></body></html>')
    return HTMLResponse(html, status_code=status)
