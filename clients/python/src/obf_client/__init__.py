"""obf-client: the Python client of the obf order-book feature service.

- `OBFClient`: every route of the HTTP API, typed, over keep-alive `http.client`.
- `LiveOBFeatureEngine`: the trading loop's order-book engine, answered live by the service.
- `ReplayOBFeatureEngine`: the same look-ups answered from `obf replay` output, for backtests.
"""

from .client import OBFClient
from .engine import EngineCounters, LiveOBFeatureEngine, StepStatus
from .errors import (APIError, BadRequest, BarRegression, BodyTooLarge, HeadersTooLarge, InvalidAsset, InvalidBar,
                     InvalidBody, InvalidQuery, LengthRequired, MethodNotAllowed, NotFound, NotReady, OBFConnectionError,
                     OBFError, OBFTimeout, RequestTimeout, ServiceError, TooManyConnections, Unauthorized,
                     UnsupportedMediaType, URITooLong)
from .features import OBMacroFeatures, OBPlacementFeatures, OBSignalFeatures
from .models import (AssetFeatures, BarLookup, CascadeRegime, FeatureLookup, Health, LookupSource, Macro, MacroLookup,
                     Placement, Readiness, Signal, StepReport)
from .replay import ReplayOBFeatureEngine, ReplayRecord, ReplayStep, ReplayView, read_replay

__all__ = [
    "APIError", "AssetFeatures", "BadRequest", "BarLookup", "BarRegression", "BodyTooLarge", "CascadeRegime",
    "EngineCounters", "FeatureLookup", "HeadersTooLarge", "Health", "InvalidAsset", "InvalidBar", "InvalidBody",
    "InvalidQuery", "LengthRequired", "LiveOBFeatureEngine", "LookupSource", "Macro", "MacroLookup",
    "MethodNotAllowed", "NotFound", "NotReady", "OBFClient", "OBFConnectionError", "OBFError", "OBFTimeout",
    "OBMacroFeatures", "OBPlacementFeatures", "OBSignalFeatures", "Placement", "Readiness", "ReplayOBFeatureEngine",
    "ReplayRecord", "ReplayStep", "ReplayView", "RequestTimeout", "ServiceError", "Signal", "StepReport",
    "StepStatus", "TooManyConnections", "URITooLong", "Unauthorized", "UnsupportedMediaType", "read_replay",
]
