"""Publishing: the worker that sends queued jobs through the platform adapters, exactly once.

- `worker`: claim, send, reconcile with `find`, retry or fail; leases and heartbeats.
- `retry`: the retry policy, a pure function of (attempts, error).
- `credentials`: secrets from the environment or a 0600 file, never from YAML.
- `accounts`: checking accounts and listing installed adapters, for the CLI.
- `adapters/`: the adapter contract (`adapters.base`) and the built-in adapters.
"""
