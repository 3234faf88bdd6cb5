"""Single sign-on by OpenID Connect: the Authlib client (``client``) and its routes
(``views``)."""

from sgreviews.web.sso.views import blueprint

__all__ = ["blueprint"]
