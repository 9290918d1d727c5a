"""The vendor's Open API v1.2 (LEADGEN_API.md): transport, errors, values, names, client."""

from .client import LeadGenClient
from .transport import DEFAULT_URL

__all__ = ["DEFAULT_URL", "LeadGenClient"]
