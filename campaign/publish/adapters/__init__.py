"""Publishing adapters: `base` holds the contract (`Adapter`, `AdapterContext`) and the registry
(`installed`, `create`); `x`, `mastodon`, `bluesky` and `outbox` are the built-ins, registered
through the `campaign.adapters` entry points exactly as a plugin is (see docs/adapters.md)."""
