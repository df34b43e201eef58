"""Publishing adapters. Built-ins register through the `campaign.adapters` entry points, like plugins."""
