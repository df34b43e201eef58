"""Loopback servers that speak the platforms' APIs, for running the real SDKs in tests."""
