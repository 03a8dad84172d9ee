"""Hub's Airtable OAuth provider for django-allauth."""
