"""The YAML mapping: which fields travel which way, owners, engagements, the conflict rule."""
