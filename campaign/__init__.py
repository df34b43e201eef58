"""campaign: turn an article into a coordinated, accessible, multi-platform campaign."""

__version__ = "0.1.0"
