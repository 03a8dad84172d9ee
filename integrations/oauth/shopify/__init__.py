"""Hub's Shopify OAuth provider for django-allauth."""
