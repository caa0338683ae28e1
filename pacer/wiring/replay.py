"""Recorded files and sessions as a source of records, and ``pacer replay``.

NMEA logs, accelerometer CSVs, GPX and FIT tracks (:func:`replay_records`), or a pacer
session's raw logs (:func:`session_records`), as records on one timeline in time order;
:func:`run_replay` runs them through the live pipeline into a new session.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from pacer.config import Config
from pacer.errors import InputError
from pacer.models import AccelBlock, Fix, NmeaBytes, SkipCounters
from pacer.runtime import Record, record_time_s, run_records
from pacer.wiring.merge import merge_in_time

T = TypeVar("T")


def replay_records(
    *,
    nmea: str | Path | None = None,
    accel: str | Path | None = None,
    accel_units: str = "mps2",
    gpx: str | Path | None = None,
    fit: str | Path | None = None,
    counters: dict[str, SkipCounters] | None = None,
) -> tuple[Iterator[Record], dt.datetime | None]:
    """Records from recorded files, in time order, and the UTC of the first fix.

    GPS time comes from the receiver's UTC (seconds since the first epoch). The
    accelerometer CSV is aligned to it: epoch time stamps by UTC, relative ones from 0
    (the first GPS fix).
    """
    from pacer.formats.readers import fixes_from_fit, fixes_from_gpx, read_accel_csv

    counters = counters if counters is not None else {}
    if sum(x is not None for x in (nmea, gpx, fit)) > 1:
        raise InputError("give one GPS input: --nmea, --gpx or --fit")
    if nmea is None and gpx is None and fit is None and accel is None:
        raise InputError("nothing to replay: give --nmea, --gpx, --fit and/or --accel")
    fixes: list[Fix] = []
    if nmea is not None:
        from pacer.formats.nmea_log import fixes_from_nmea_file

        counters["nmea"] = SkipCounters()
        fixes = list(fixes_from_nmea_file(nmea, counters["nmea"]))
    elif gpx is not None:
        counters["gpx"] = SkipCounters()
        fixes = list(fixes_from_gpx(gpx, counters=counters["gpx"]))
    elif fit is not None:
        counters["fit"] = SkipCounters()
        try:
            fixes = list(fixes_from_fit(fit, counters=counters["fit"]))
        except InputError:
            if _is_fit_workout(fit):
                raise InputError(f"{fit}: a FIT workout, not an activity: give it as "
                                 f"--workout {fit}") from None
            raise
    first_utc = next((f.utc for f in fixes if f.utc is not None), None)
    t_first_utc_s = next((f.t_s for f in fixes if f.utc is not None), 0.0)
    streams: list[Iterator[Record]] = [iter(fixes)]
    if (gpx is not None or fit is not None) and first_utc is not None:
        streams.append(_device_records(gpx, fit, first_utc.timestamp() - t_first_utc_s,
                                       cadence=accel is None))
    if accel is not None:
        counters["accel"] = SkipCounters()
        blocks = read_accel_csv(accel, units=accel_units, counters=counters["accel"])
        streams.append(_aligned_blocks(blocks, first_utc, t_first_utc_s, str(accel)))
    return merge_in_time(*streams), first_utc


def _device_records(gpx: str | Path | None, fit: str | Path | None, t_offset_s: float, *,
                    cadence: bool) -> Iterator[Record]:
    """Heart rate (and, with ``cadence``, the device's cadence) a GPX or FIT file carries,
    on the fixes' time line (UTC minus ``t_offset_s``)."""
    from pacer.formats.extras import device_series_from_fit, device_series_from_gpx

    series = device_series_from_gpx(gpx) if gpx is not None else device_series_from_fit(fit)  # type: ignore[arg-type]
    if not series.has_heart_rate and not (cadence and series.has_cadence):
        return iter(())
    return series.records(t_offset_s, cadence=cadence)


def _is_fit_workout(path: str | Path) -> bool:
    try:
        from pacer.formats.fit_workout import workout_from_fit

        workout_from_fit(str(path))
        return True
    except Exception:  # broad on purpose: only a hint for a better message
        return False


def _aligned_blocks(
    blocks: Iterator[AccelBlock], first_utc: dt.datetime | None, t_first_utc_s: float,
    path: str,
) -> Iterator[AccelBlock]:
    from pacer.formats.readers import looks_like_epoch

    for block in blocks:
        if block.t0_s > 1e11:  # past the year 5000 in seconds: ms or ns since some origin
            raise InputError(f"{path}: t_s values like {block.t0_s:.3g} are not seconds "
                             "(milliseconds or nanoseconds?); convert the column to seconds")
        if looks_like_epoch(block.t0_s):
            if first_utc is None:
                raise InputError(f"{path}: times are Unix epoch seconds but there is no "
                                 "GPS time to align them with; give --nmea/--gpx/--fit or "
                                 "relative times")
            shift = first_utc.timestamp() - t_first_utc_s
            block = dataclasses.replace(block, t0_s=block.t0_s - shift)
        yield block


def session_records(
    directory: str | Path, on_warning: Callable[[str], None] | None = None
) -> tuple[Iterator[Record], dt.datetime | None, dict[str, object]]:
    """A pacer session's raw logs as records (re-run with today's code), its start UTC and
    its meta. The NMEA bytes keep their original arrival times, so the new session is
    what a live run with today's code would have produced. A damaged database only costs
    the meta (workout, start time); what the raw logs lack is reported to ``on_warning``.
    """
    from pacer.session.rawread import raw_log_problems
    from pacer.session.reader import (
        iter_heart_rate,
        iter_raw_accel,
        iter_raw_nmea,
        read_meta_or_empty,
    )

    path = Path(directory)
    meta = read_meta_or_empty(path, on_warning)
    problems = raw_log_problems(path)
    for problem in problems:
        if on_warning is not None:
            on_warning(problem)
    start = meta.get("start_utc")
    try:
        start_utc = dt.datetime.fromisoformat(start) if isinstance(start, str) else None
    except ValueError:
        start_utc = None  # a damaged start costs the session's clock time, not the replay
        if on_warning is not None:
            on_warning(f"{path}: start_utc in meta is not a time; replaying without it")
    copy = path / "gps.nmea"
    if problems and copy.is_file() and next(iter_raw_nmea(path), None) is None:
        # the database (and the raw data in it) cannot be read: the NMEA copy, GPS only
        if on_warning is not None:
            on_warning(f"replaying {copy} instead (GPS only)")
        records, first_utc = replay_records(nmea=copy)
        return records, start_utc or first_utc, meta
    gps = (NmeaBytes(t_s, data) for t_s, data in iter_raw_nmea(path))
    return (merge_in_time(gps, iter_raw_accel(path), iter_heart_rate(path)), start_utc,
            meta)


# ---------------------------------------------------------------------- pacer replay


@dataclasses.dataclass(frozen=True)
class ReplayOptions:
    """What ``pacer replay`` was asked for (see its ``--help``)."""

    session: str | None = None  # a pacer session directory, or the files below
    nmea: str | None = None
    accel: str | None = None
    accel_units: str = "mps2"
    gpx: str | None = None
    fit: str | None = None
    workout: str | None = None
    realtime: bool = False
    session_dir: str | None = None
    audio_out: str | None = None
    status_every_s: float = 30.0
    quiet: bool = False


def _records(o: ReplayOptions) -> tuple[Iterator[Record], dt.datetime | None, str | None,
                                        dict[str, object], dict[str, SkipCounters]]:
    """The records, start UTC, workout, sources and input counters of a replay."""
    counters: dict[str, SkipCounters] = {}
    if o.session is not None:
        if any((o.nmea, o.accel, o.gpx, o.fit)):
            raise InputError("give either a SESSION or input files (--nmea/--accel/--gpx/--fit)")
        records, start_utc, meta = session_records(
            o.session, on_warning=lambda m: print(f"pacer replay: {m}", file=sys.stderr))
        workout = meta.get("workout")
        spec = o.workout or (workout if isinstance(workout, str) else None)
        return records, start_utc, spec, {"session": str(o.session)}, counters
    records, start_utc = replay_records(nmea=o.nmea, accel=o.accel, accel_units=o.accel_units,
                                        gpx=o.gpx, fit=o.fit, counters=counters)
    sources: dict[str, object] = {k: v for k, v in (("nmea", o.nmea), ("accel", o.accel),
                                                    ("gpx", o.gpx), ("fit", o.fit)) if v}
    return records, start_utc, o.workout, sources, counters


def run_replay(options: ReplayOptions, config: Config) -> int:
    """``pacer replay``: recorded inputs through the live pipeline into a new session;
    1 if the session is incomplete."""
    from pacer.wiring.session import (
        ConsolePrinter,
        build_session,
        load_workout,
        make_audio,
        print_summary,
        refuse_existing_session,
        session_problems,
    )

    o = options
    records, start_utc, workout_spec, sources, counters = _records(o)
    # read the first record before creating the session: a file that is wrong from its
    # first line fails here and leaves no empty session behind
    records = iter(records)
    first = next(records, None)
    if first is None:
        raise InputError("nothing to replay: the inputs hold no fix and no sample")
    records = itertools.chain([first], records)
    workout = load_workout(workout_spec, config)
    refuse_existing_session(o.session_dir)
    audio = make_audio(config, live=False, wav_path=o.audio_out) if o.audio_out else None
    printer = None if o.quiet else ConsolePrinter(every_s=o.status_every_s)
    parts = build_session(kind="replay", config=config, workout=workout,
                          session_dir=o.session_dir, sources=sources, start_utc=start_utc,
                          audio=audio, printer=printer,
                          flush_every_ticks=1 if o.realtime else 300)
    if o.realtime:
        records = paced(records, record_time_s, time.monotonic, time.sleep)
    parts.pipeline.input_counters.update(counters)
    run_records(parts.pipeline, records)
    for name, c in parts.pipeline.input_counters.items():
        skipped = {k: v for k, v in c.as_dict().items()
                   if v and k not in ("lines", "sentences", "comments")}
        if skipped:
            what = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in skipped.items())
            print(f"pacer replay: {name}: skipped {what}", file=sys.stderr)
    print_summary(parts)
    return 1 if session_problems(parts) else 0


def paced(records: Iterator[T], time_of: Callable[[T], float], clock: Callable[[], float],
          sleep: Callable[[float], None]) -> Iterator[T]:
    """``records`` at the pace of their own time stamps (``time_of``, seconds)."""
    t0 = None
    for r in records:
        t = time_of(r)
        if t0 is None:
            t0 = clock() - t
        wait = t0 + t - clock()
        if wait > 0:
            sleep(wait)
        yield r
