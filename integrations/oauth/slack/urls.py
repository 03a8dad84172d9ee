from allauth.socialaccount.providers.oauth2.urls import default_urlpatterns

from integrations.oauth.slack.provider import SlackProvider

urlpatterns = default_urlpatterns(SlackProvider)
