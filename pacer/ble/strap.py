"""A Bluetooth LE heart-rate strap (GATT 0x180D / 0x2A37) through bleak over BlueZ. IO edge.

:class:`HeartRateStrap` is a :class:`~pacer.ble.sensor_client.NotifyingSensor` for the
Heart Rate Measurement: its own thread and asyncio loop, reconnection with backoff, and a
queue of ``HeartRateRecord`` (``t_s``, ``address``, decoded
:class:`~pacer.ble.gatt_codec.HeartRateMeasurement`) and ``StrapEvent`` items.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pacer.ble.gatt_codec import (
    HEART_RATE_MEASUREMENT,
    HEART_RATE_SERVICE,
    HeartRateMeasurement,
    decode_heart_rate,
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

HR_SERVICE_UUID = uuid16_to_str(HEART_RATE_SERVICE)
HR_MEASUREMENT_UUID = uuid16_to_str(HEART_RATE_MEASUREMENT)

StrapEvent = SensorEvent

@dataclass(frozen=True)
class HeartRateRecord(SensorRecord[HeartRateMeasurement]):
    """One decoded notification: ``t_s`` (injected clock), ``address``, ``measurement``."""


__all__ = ["FoundSensor", "HeartRateRecord", "HeartRateStrap", "StrapEvent",
           "scan_heart_rate_straps"]


def scan_heart_rate_straps(timeout_s: float = 10.0,
                           adapter: str | None = None) -> list[FoundSensor]:
    """Scan for devices advertising the Heart Rate service; strongest signal first.

    Blocks for ``timeout_s`` (it is for ``pacer sensors scan``, not the live loop).

    Raises
    ------
    DeviceError
        No adapter, or BlueZ is not reachable.
    """
    return scan_for_service(HR_SERVICE_UUID, timeout_s, adapter)


class HeartRateStrap(NotifyingSensor[HeartRateMeasurement]):
    """Keep a heart-rate strap connected in a background thread; read ``records``.

    Parameters
    ----------
    address : str or None
        The strap's address (``pacer sensors pair``); None takes the first strap seen.
    clock, backoff_s, scan_timeout_s, connect_timeout_s, adapter, maxsize
        As for :class:`~pacer.ble.sensor_client.NotifyingSensor`.
    """

    kind = "strap"
    record_type = HeartRateRecord

    def __init__(self, address: str | None = None, *, clock: Callable[[], float] = time.monotonic,
                 backoff_s: Sequence[float] = DEFAULT_BACKOFF_S, scan_timeout_s: float = 10.0,
                 connect_timeout_s: float = 20.0, adapter: str | None = None,
                 maxsize: int = 600) -> None:
        super().__init__(HR_SERVICE_UUID, HR_MEASUREMENT_UUID, decode_heart_rate, address,
                         clock=clock, backoff_s=backoff_s, scan_timeout_s=scan_timeout_s,
                         connect_timeout_s=connect_timeout_s, adapter=adapter, maxsize=maxsize)
