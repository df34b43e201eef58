"""The shared fake-server harness: routes, records and faults over real HTTP."""

import json
import urllib.error
import urllib.request

import pytest

from tests.fakes.base import FakeServer, Reply


def _srv() -> FakeServer:
    s = FakeServer()
    s.route("POST", r"/echo", lambda req, m: Reply(201, {"got": req.json()}))
    return s


def _post(url: str, data: dict) -> tuple[int, dict]:
    r = urllib.request.Request(url, json.dumps(data).encode(), {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(r, timeout=2) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_route_records_and_faults():
    with _srv() as s:
        assert _post(s.url + "/echo", {"a": 1}) == (201, {"got": {"a": 1}})
        s.fail_next(r"POST /echo", 503, {"error": "down"})
        assert _post(s.url + "/echo", {"a": 2}) == (503, {"error": "down"})
        assert _post(s.url + "/echo", {"a": 3})[0] == 201
        assert [r.json()["a"] for r in s.received("POST", "/echo")] == [1, 2, 3]
        assert _post(s.url + "/nope", {})[0] == 404


def test_drop_closes_without_reply():
    with _srv() as s:
        s.drop_next(r"POST /echo")
        with pytest.raises((urllib.error.URLError, ConnectionError, OSError)):
            _post(s.url + "/echo", {"a": 1})
