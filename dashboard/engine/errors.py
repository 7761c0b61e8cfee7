"""Domain errors: what the engine raises instead of library exceptions."""


class ThiduaError(Exception):
    """Base of every error the engine raises on purpose; the message is shown to users as is."""


class CampaignError(ThiduaError):
    """The campaign folder or its campaign.toml / targets cannot be used."""


class EngineError(ThiduaError):
    """A refresh or query failed; the last good state is kept and marked stale."""
