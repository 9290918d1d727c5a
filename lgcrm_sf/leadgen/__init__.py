"""The Lead Gen & CRM side: the local store of the marketing tool's account, and its import tool."""
