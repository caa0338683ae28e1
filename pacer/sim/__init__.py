"""Simulated runner, GPS receiver and body-worn accelerometer (see docs/simulation.md).

``RunnerModel`` holds the truth; ``SimulatedReceiver`` turns it into NMEA bytes with
realistic errors; ``GaitSignal`` is the accelerometer signal the fake chips sample.
"""

from pacer.sim.accel import GaitSignal
from pacer.sim.receiver import ReceiverEpoch, SimulatedReceiver
from pacer.sim.runner import Effort, RunnerModel, RunnerTruth
from pacer.sim.scenarios import SCENARIOS, default_session_efforts, tempo_session_efforts
from pacer.sim.site import LUTON, TrackSite
from pacer.sim.truth import write_steps_csv, write_truth_csv

__all__ = [
    "LUTON",
    "SCENARIOS",
    "Effort",
    "GaitSignal",
    "ReceiverEpoch",
    "RunnerModel",
    "RunnerTruth",
    "SimulatedReceiver",
    "TrackSite",
    "default_session_efforts",
    "tempo_session_efforts",
    "write_steps_csv",
    "write_truth_csv",
]
