"""Hub's Slack OAuth provider for django-allauth."""
