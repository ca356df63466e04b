"""The providers the gateway knows: one registry, one file each (docs/architecture.md).

`build(settings)` makes one of each; webhooks of a provider without credentials answer
403 (nothing verifies), and its messages wait in the outbox until it is configured.
"""

from __future__ import annotations

from channels.providers.android_sms import AndroidSmsProvider
from channels.providers.base import Provider
from channels.providers.telegram import TelegramProvider
from channels.providers.twilio import TwilioProvider
from feedback_api.settings import Settings

# SMS_PROVIDER's values: the route of the SMS the service starts itself.
SMS_ROUTES = {"twilio": "twilio", "android": "android_sms"}


def starting_route(channel: str, settings: Settings) -> str:
    """The provider of a message the service starts itself to a person of `channel`:
    SMS_PROVIDER's route for SMS (and a hotline caller, who is texted)."""
    if channel in ("sms", "phone"):
        return SMS_ROUTES[settings.sms_provider]
    return channel


def configured(name: str, settings: Settings) -> bool:
    """Whether the provider `name` has its credentials (without making its clients)."""
    kinds = {kind.name: kind for kind in (TelegramProvider, TwilioProvider, AndroidSmsProvider)}
    kind = kinds.get(name)
    return kind is not None and kind.is_configured(settings)


def build(settings: Settings) -> dict[str, Provider]:
    providers: list[Provider] = [
        TelegramProvider(settings),
        TwilioProvider(settings),
        AndroidSmsProvider(settings),
    ]
    return {provider.name: provider for provider in providers}
