"""Publishing: the worker that sends queued jobs through the platform adapters, exactly once.

- `worker`: claim, send, reconcile with `find`, retry or fail; the loop, one post or N in flight.
- `inflight`: the posts in flight, the threads that send them, and the lease heartbeat.
- `holds`: accounts held back (a platform that does not answer, or answers 429).
- `owners`: who a worker is, and breaking the leases of dead local workers.
- `from_store`: adapters and rate limits built from what the queue stored.
- `retry`: the retry policy, a pure function of (attempts, error).
- `credentials`: secrets from the environment or a 0600 file, never from YAML.
- `accounts`: checking accounts and listing installed adapters, for the CLI.
- `adapters/`: the adapter contract (`adapters.base`) and the built-in adapters.
"""
