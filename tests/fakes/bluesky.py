"""A loopback Bluesky PDS: sessions, handles, blobs and post records, with atproto's shapes.

Keeps what it received (`records` by rkey with their facets, embeds, reply refs and
langs; `blobs` with their Content-Type), counts `createSession` calls, answers a
duplicate rkey with 500 like a real PDS, refuses blobs over 1,000,000 bytes at
`createRecord` (BlobTooLarge), posts over 300 graphemes (InvalidRecord), and
sends `ratelimit-*` headers. Faults come from `FakeServer` plus the helpers below.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import threading
import time
from dataclasses import dataclass
from typing import Any

from tests.fakes.base import FakeServer, Reply, Request

HANDLE = "nrf-demo.bsky.social"
DID = "did:plc:nrfdemo7x2kq4example"
APP_PASSWORD = "abcd-efgh-ijkl-mnop"
MAX_BLOB = 1_000_000
# The example campaign's people (configs/example.yaml) have accounts here, as on bsky.social:
# their handles resolve, so posts keep the handles the composer wrote.
EXAMPLE_PEOPLE = {"ahmadmassoud.bsky.social": "did:plc:massoud4resistance",
                  "nathalieloiseau.bsky.social": "did:plc:loiseau4europarl"}
_B32 = "abcdefghijklmnopqrstuvwxyz234567"


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def make_jwt(exp: float, sub: str, kind: str) -> str:
    """An unsigned JWT the SDK can decode (it reads `exp`; the signature is not checked)."""
    nonce = hashlib.sha256(f"{time.time_ns()}{kind}".encode()).hexdigest()[:16]
    return _b64({"alg": "none", "typ": "JWT"}) + "." + _b64(
        {"scope": "com.atproto.appPass" if kind == "access" else "com.atproto.refresh",
         "sub": sub, "exp": int(exp), "iat": int(time.time()), "jti": nonce}) + "."


def fake_cid(data: bytes, prefix: str = "bafyrei") -> str:
    digest = hashlib.sha256(data).digest()
    bits = "".join(f"{b:08b}" for b in digest)
    return prefix + "".join(_B32[int(bits[i:i + 5].ljust(5, "0"), 2)] for i in range(0, 260, 5))[:52]


@dataclass
class Blob:
    cid: str
    data: bytes
    content_type: str


@dataclass
class PostRecord:
    rkey: str
    uri: str
    cid: str
    value: dict[str, Any]

    @property
    def text(self) -> str:
        return str(self.value.get("text", ""))

    @property
    def facets(self) -> list[dict[str, Any]]:
        return list(self.value.get("facets") or [])

    @property
    def embed(self) -> dict[str, Any] | None:
        return self.value.get("embed")

    @property
    def reply(self) -> dict[str, Any] | None:
        return self.value.get("reply")


class FakeBluesky(FakeServer):
    def __init__(self, *, handle: str = HANDLE, did: str = DID, password: str = APP_PASSWORD,
                 access_ttl: float = 7200.0, known_handles: dict[str, str] | None = None) -> None:
        super().__init__()
        self.handle, self.did, self.password = handle, did, password
        self.access_ttl = access_ttl
        self.known_handles = {handle: did, **EXAMPLE_PEOPLE, **(known_handles or {})}
        self.access_tokens: dict[str, float] = {}  # token → exp
        self.refresh_tokens: set[str] = set()
        self.blobs: dict[str, Blob] = {}
        self.records: dict[str, PostRecord] = {}
        # the AppView's counts by post URI (`app.bsky.feed.getPosts`); `appview=False`: none
        self.counts: dict[str, dict[str, int]] = {}
        self.appview = True
        self.down = False  # True: every request is answered 503
        self.create_sessions = 0
        self.refreshes = 0
        self._rev = itertools.count(1)
        self._block = threading.Lock()
        r = self.route
        x = "/xrpc/"
        r("POST", x + r"com\.atproto\.server\.createSession", self._create_session)
        r("POST", x + r"com\.atproto\.server\.refreshSession", self._refresh_session)
        r("GET", x + r"com\.atproto\.server\.getSession", self._get_session)
        r("GET", x + r"app\.bsky\.actor\.getProfile", self._get_profile)
        r("GET", x + r"com\.atproto\.identity\.resolveHandle", self._resolve_handle)
        r("POST", x + r"com\.atproto\.repo\.uploadBlob", self._upload_blob)
        r("POST", x + r"com\.atproto\.repo\.createRecord", self._create_record)
        r("GET", x + r"com\.atproto\.repo\.getRecord", self._get_record)
        r("GET", x + r"app\.bsky\.feed\.getPosts", self._get_posts)

    # -- helpers for tests ---------------------------------------------------------------
    def rate_limit_next(self, match: str = r"createRecord", seconds: int = 90) -> None:
        reset = int(time.time()) + seconds
        self.fail_next(match, 429, {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
                       headers={"ratelimit-limit": "5000", "ratelimit-remaining": "0",
                                "ratelimit-reset": str(reset), "ratelimit-policy": "5000;w=3600"})

    def engage(self, uri: str, *, likes: int = 0, reposts: int = 0, replies: int = 0, quotes: int = 0) -> None:
        """Set a post's counts as the AppView would report them."""
        self.counts[uri] = {"likeCount": likes, "repostCount": reposts, "replyCount": replies,
                            "quoteCount": quotes}

    def delete(self, uri: str) -> None:
        """Delete a post (getPosts then leaves it out, as the AppView does)."""
        rkey = uri.rsplit("/", 1)[-1]
        del self.records[rkey]

    def _handle(self, req: Request) -> Reply:
        if self.down:
            return self._err(503, "ServiceUnavailable", "Service Unavailable")
        return super()._handle(req)

    def revoke_sessions(self) -> None:
        """Forget every token, as after an app password is revoked or a PDS restarts."""
        self.access_tokens.clear()
        self.refresh_tokens.clear()

    def posts(self) -> list[PostRecord]:
        return sorted(self.records.values(), key=lambda r: r.rkey)

    # -- plumbing ------------------------------------------------------------------------
    def _headers(self) -> dict[str, str]:
        return {"ratelimit-limit": "5000", "ratelimit-remaining": "4999",
                "ratelimit-reset": str(int(time.time()) + 3600), "ratelimit-policy": "5000;w=3600"}

    def _ok(self, body: Any) -> Reply:
        return Reply(200, body, self._headers())

    @staticmethod
    def _err(status: int, error: str, message: str) -> Reply:
        return Reply(status, {"error": error, "message": message})

    def _auth(self, req: Request) -> Reply | None:
        value = req.header("authorization") or ""
        token = value.removeprefix("Bearer ")
        if not value.startswith("Bearer ") or token not in self.access_tokens:
            return self._err(401, "InvalidToken", "Token could not be verified")
        if self.access_tokens[token] < time.time():
            return self._err(400, "ExpiredToken", "Token has expired")
        return None

    def _new_session(self) -> dict[str, Any]:
        access = make_jwt(time.time() + self.access_ttl, self.did, "access")
        refresh = make_jwt(time.time() + 90 * 86400, self.did, "refresh")
        self.access_tokens[access] = time.time() + self.access_ttl
        self.refresh_tokens.add(refresh)
        return {"accessJwt": access, "refreshJwt": refresh, "handle": self.handle, "did": self.did,
                "active": True}  # no didDoc: the client stays on this server

    # -- handlers ------------------------------------------------------------------------
    def _create_session(self, req: Request, m: Any) -> Reply:
        body = req.json() or {}
        with self._block:
            self.create_sessions += 1
        ident = str(body.get("identifier", "")).lstrip("@")
        if ident not in (self.handle, self.did) or body.get("password") != self.password:
            return self._err(401, "AuthenticationRequired", "Invalid identifier or password")
        return self._ok(self._new_session())

    def _refresh_session(self, req: Request, m: Any) -> Reply:
        token = (req.header("authorization") or "").removeprefix("Bearer ")
        if token not in self.refresh_tokens:
            return self._err(400, "ExpiredToken", "Token has been revoked")
        self.refresh_tokens.discard(token)
        self.refreshes += 1
        return self._ok(self._new_session())

    def _get_session(self, req: Request, m: Any) -> Reply:
        return self._auth(req) or self._ok({"handle": self.handle, "did": self.did, "active": True})

    def _get_profile(self, req: Request, m: Any) -> Reply:
        return self._auth(req) or self._ok({"did": self.did, "handle": self.handle})

    def _resolve_handle(self, req: Request, m: Any) -> Reply:
        handle = req.query.get("handle", [""])[0].lower()
        if handle in self.known_handles:
            return self._ok({"did": self.known_handles[handle]})
        return self._err(400, "InvalidRequest", "Unable to resolve handle")

    def _upload_blob(self, req: Request, m: Any) -> Reply:
        if (denied := self._auth(req)) is not None:
            return denied
        ctype = req.header("content-type") or "*/*"
        cid = fake_cid(req.body, "bafkrei")
        self.blobs[cid] = Blob(cid, req.body, ctype)
        return self._ok({"blob": {"$type": "blob", "ref": {"$link": cid}, "mimeType": ctype,
                                  "size": len(req.body)}})

    def _create_record(self, req: Request, m: Any) -> Reply:
        if (denied := self._auth(req)) is not None:
            return denied
        body = req.json() or {}
        repo, collection, rkey = body.get("repo"), body.get("collection"), body.get("rkey")
        record = body.get("record") or {}
        if repo not in (self.did, self.handle):
            return self._err(400, "InvalidRequest", "Could not find repo: " + str(repo))
        if collection != "app.bsky.feed.post" or record.get("$type") != collection:
            return self._err(400, "InvalidRequest", "Invalid collection")
        text = str(record.get("text", ""))
        import regex

        if len(regex.findall(r"\X", text)) > 300 or len(text.encode()) > 3000:
            return self._err(400, "InvalidRecord",
                             "Invalid app.bsky.feed.post record: Record/text must not be longer "
                             "than 300 graphemes")
        for image in ((record.get("embed") or {}).get("images") or []):
            cid = image["image"]["ref"]["$link"]
            blob = self.blobs.get(cid)
            if blob is None:
                return self._err(400, "BlobNotFound", f"Could not find blob: {cid}")
            if len(blob.data) > MAX_BLOB:
                return self._err(400, "BlobTooLarge",
                                 f"This file is too large. It is {len(blob.data) / 1e6:.2f}MB but "
                                 "the maximum size is 976.56KB.")
            if "alt" not in image:
                return self._err(400, "InvalidRecord", "Record/embed/images/0 must have the property \"alt\"")
        self._maybe_hold(record)
        with self._block:
            if rkey in self.records:  # what real PDSes do today (atproto#3718)
                return self._err(500, "InternalServerError", "Internal Server Error")
            rkey = rkey or f"3l{next(self._rev):011d}"
            uri = f"at://{self.did}/{collection}/{rkey}"
            cid = fake_cid(json.dumps(record, sort_keys=True).encode() + rkey.encode())
            self.records[rkey] = PostRecord(rkey, uri, cid, record)
        return self._ok({"uri": uri, "cid": cid,
                         "commit": {"cid": fake_cid(uri.encode()), "rev": f"3l{next(self._rev)}"},
                         "validationStatus": "valid"})

    def _get_record(self, req: Request, m: Any) -> Reply:
        q = {k: v[0] for k, v in req.query.items()}
        rec = self.records.get(q.get("rkey", ""))
        if rec is None or q.get("repo") not in (self.did, self.handle):
            return self._err(400, "RecordNotFound",
                             f"Could not locate record: at://{q.get('repo')}/{q.get('collection')}/"
                             f"{q.get('rkey')}")
        return self._ok({"uri": rec.uri, "cid": rec.cid, "value": rec.value})

    def _get_posts(self, req: Request, m: Any) -> Reply:
        """`app.bsky.feed.getPosts`: post views (with counts) of the URIs that exist, at most 25."""
        if (denied := self._auth(req)) is not None:
            return denied
        if not self.appview:
            return self._err(501, "MethodNotImplemented", "Method Not Implemented")
        uris = req.query.get("uris", [])
        if len(uris) > 25:
            return self._err(400, "InvalidRequest", "Error: uris must not have more than 25 elements")
        by_uri = {r.uri: r for r in self.records.values()}
        views = []
        for uri in uris:
            rec = by_uri.get(uri)
            if rec is None:
                continue
            counts = self.counts.get(uri, {})
            views.append({"uri": rec.uri, "cid": rec.cid, "author": {"did": self.did, "handle": self.handle},
                          "record": rec.value, "indexedAt": "2026-03-02T08:00:00.000Z",
                          "likeCount": counts.get("likeCount", 0), "repostCount": counts.get("repostCount", 0),
                          "replyCount": counts.get("replyCount", 0), "quoteCount": counts.get("quoteCount", 0),
                          "labels": []})
        return self._ok({"posts": views})
