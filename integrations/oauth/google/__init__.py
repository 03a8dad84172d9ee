"""Hub's Google OAuth provider for django-allauth."""
