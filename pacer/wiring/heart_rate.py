"""Heart-rate readings as records: a strap's decoded notifications, a simulated strap.

A strap's Heart Rate Measurement (0x2A37), decoded by :mod:`pacer.ble.gatt_codec`,
becomes a :class:`~pacer.models.HeartRateSample` here, at the edge. The simulated strap
of ``pacer sim --hr`` sends the bytes a chest strap sends for the simulated runner's
heart rate (:mod:`pacer.sim.heart_rate`, lagging effort), and the production decoder
reads them, so a simulated session exercises the same path as a live one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np

from pacer.ble.gatt_codec import HeartRateMeasurement, decode_heart_rate
from pacer.models import DeviceEvent, DeviceState, HeartRateSample

if TYPE_CHECKING:
    from pacer.ble.sensor_client import SensorEvent, SensorRecord
    from pacer.config import HeartRateConfig
    from pacer.sim.heart_rate import HeartRateModel
    from pacer.sim.runner import RunnerModel

#: step of the simulated heart-rate trace, s (the strap notifies about once a second)
SIM_STEP_S = 0.25


def sample_from_measurement(t_s: float, m: HeartRateMeasurement) -> HeartRateSample:
    """One decoded notification at session time ``t_s`` as a record."""
    contact = m.sensor_contact_detected if m.sensor_contact_supported else None
    return HeartRateSample(t_s=t_s, heart_rate_bpm=float(m.heart_rate_bpm),
                           rr_intervals_s=tuple(m.rr_intervals_s), contact=contact)


#: a strap client's connection events as the Pipeline's device states
_STRAP_STATES = {"connected": DeviceState.UP, "disconnected": DeviceState.LOST,
                 "not_found": DeviceState.LOST, "error": DeviceState.ERROR}


def record_from_strap(
    item: SensorRecord[HeartRateMeasurement] | SensorEvent,
) -> HeartRateSample | DeviceEvent:
    """What :class:`pacer.ble.strap.HeartRateStrap` puts on its queue, as a Pipeline
    record: a reading, or a ``heart_rate`` device event (up, lost, error)."""
    measurement = getattr(item, "measurement", None)
    if isinstance(measurement, HeartRateMeasurement):
        return sample_from_measurement(item.t_s, measurement)
    kind = str(getattr(item, "kind", "error"))
    detail = str(getattr(item, "detail", ""))
    return DeviceEvent(item.t_s, "heart_rate", _STRAP_STATES.get(kind, DeviceState.ERROR),
                       detail)


def model_from_config(hr: HeartRateConfig) -> HeartRateModel:
    """The simulated runner's heart-rate model, with the configured max and resting rates."""
    from pacer.sim.heart_rate import HeartRateModel

    base = HeartRateModel()
    max_bpm = hr.max_bpm if hr.max_bpm is not None else base.max_hr_bpm
    resting_bpm = hr.resting_bpm if hr.resting_bpm is not None else min(base.resting_hr_bpm,
                                                                         max_bpm / 2)
    return HeartRateModel(resting_hr_bpm=resting_bpm, max_hr_bpm=max_bpm)


def simulated_strap_records(runner: RunnerModel, *, seed: int = 0,
                            model: HeartRateModel | None = None,
                            duration_s: float | None = None) -> Iterator[HeartRateSample]:
    """The simulated strap's readings for ``runner``, in time order (session seconds)."""
    from pacer.sim.heart_rate import simulate_heart_rate_bpm, strap_notifications

    end_s = runner.duration_s if duration_s is None else duration_s
    t_s = np.arange(0.0, end_s + SIM_STEP_S / 2, SIM_STEP_S)
    speed_mps = runner.state_at(t_s).speed_mps
    bpm = simulate_heart_rate_bpm(t_s, speed_mps, model, seed=seed)
    for t, payload in strap_notifications(t_s, bpm):
        yield sample_from_measurement(t, decode_heart_rate(payload))
