"""The Salesforce side: logging in, the API client, prerequisites and backups."""
