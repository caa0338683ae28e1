"""Read an RSC footpod (Stryd, Polar Stride: GATT 0x1814 / 0x2A53) as a pace and cadence
source, through bleak over BlueZ. IO edge.

:class:`FootpodReader` is a :class:`~pacer.ble.sensor_client.NotifyingSensor` for the RSC
Measurement; records carry a decoded :class:`~pacer.ble.gatt_codec.RscMeasurement`
(``speed_mps``, ``cadence_spm``, stride length and total distance when the pod sends
them). The live wiring labels the source ``footpod`` and fuses it like any other input.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pacer.ble.gatt_codec import (
    RSC_MEASUREMENT,
    RSC_SERVICE,
    RscMeasurement,
    decode_rsc_measurement,
    uuid16_to_str,
)
from pacer.ble.sensor_client import (
    DEFAULT_BACKOFF_S,
    FoundSensor,
    NotifyingSensor,
    SensorEvent,
    SensorRecord,
    scan_for_service,
)

RSC_SERVICE_UUID = uuid16_to_str(RSC_SERVICE)
RSC_MEASUREMENT_UUID = uuid16_to_str(RSC_MEASUREMENT)

FootpodEvent = SensorEvent

@dataclass(frozen=True)
class FootpodRecord(SensorRecord[RscMeasurement]):
    """One decoded notification: ``t_s`` (injected clock), ``address``, ``measurement``."""


__all__ = ["FootpodEvent", "FootpodReader", "FootpodRecord", "FoundSensor", "scan_footpods"]


def scan_footpods(timeout_s: float = 10.0, adapter: str | None = None) -> list[FoundSensor]:
    """Scan for devices advertising the RSC service; strongest signal first."""
    return scan_for_service(RSC_SERVICE_UUID, timeout_s, adapter)


class FootpodReader(NotifyingSensor[RscMeasurement]):
    """Keep an RSC footpod connected in a background thread; read ``records``.

    Parameters
    ----------
    address : str or None
        The pod's address; None takes the first pod advertising 0x1814.
    clock, backoff_s, scan_timeout_s, connect_timeout_s, adapter, maxsize
        As for :class:`~pacer.ble.sensor_client.NotifyingSensor`.
    """

    kind = "footpod"
    record_type = FootpodRecord

    def __init__(self, address: str | None = None, *, clock: Callable[[], float] = time.monotonic,
                 backoff_s: Sequence[float] = DEFAULT_BACKOFF_S, scan_timeout_s: float = 10.0,
                 connect_timeout_s: float = 20.0, adapter: str | None = None,
                 maxsize: int = 600) -> None:
        super().__init__(RSC_SERVICE_UUID, RSC_MEASUREMENT_UUID, decode_rsc_measurement, address,
                         clock=clock, backoff_s=backoff_s, scan_timeout_s=scan_timeout_s,
                         connect_timeout_s=connect_timeout_s, adapter=adapter, maxsize=maxsize)
