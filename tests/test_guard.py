"""The test guard itself: it must catch network access and reads of real credentials."""

import socket

import pytest

from tests import conftest


def test_non_loopback_connect_is_refused_and_recorded():
    before = len(conftest.VIOLATIONS)
    s = socket.socket()
    s.settimeout(0.5)
    with pytest.raises(OSError):
        s.connect(("192.0.2.1", 443))
    s.close()
    assert conftest.VIOLATIONS[before:]
    del conftest.VIOLATIONS[before:]  # expected here; don't fail this test


def test_real_secrets_file_is_off_limits():
    before = len(conftest.VIOLATIONS)
    with pytest.raises(PermissionError):
        open(conftest._FORBIDDEN_DIRS[0] + "/secrets.json")
    del conftest.VIOLATIONS[before:]


def test_loopback_is_allowed():
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    c = socket.create_connection(srv.getsockname(), timeout=1)
    c.close()
    srv.close()


def test_credentials_stripped_from_environment():
    import os

    assert not [k for k in os.environ if k.startswith(conftest._CRED_PREFIXES)]
