"""The data engine: Parquet files in, frozen snapshots out. Never imports Textual."""

from dashboard.engine.campaign import Area, Campaign, load_campaign
from dashboard.engine.engine import Engine, RefreshReport
from dashboard.engine.errors import CampaignError, EngineError, ThiduaError
from dashboard.engine.model import Snapshot, TargetHistory

__all__ = [
    "Area", "Campaign", "CampaignError", "Engine", "EngineError", "RefreshReport", "Snapshot",
    "TargetHistory", "ThiduaError", "load_campaign",
]
