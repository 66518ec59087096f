"""The public trace page of a lot: what its QR label opens (no personal data)."""

from .routes import bp

__all__ = ["bp"]
