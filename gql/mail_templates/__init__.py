"""Mail templates: a location's own texts, their preview and test send."""
