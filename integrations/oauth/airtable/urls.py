from allauth.socialaccount.providers.oauth2.urls import default_urlpatterns

from integrations.oauth.airtable.provider import AirtableProvider

urlpatterns = default_urlpatterns(AirtableProvider)
