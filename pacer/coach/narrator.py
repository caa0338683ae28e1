"""What the coach would say: cue candidates for each moment of a workout.

The :class:`Narrator` turns the engine's moments (session start, a step armed, started,
ended, a one-second tick with the step's elapsed time and distance, a recovery counting
down, GPS lost or back) into :class:`~pacer.models.Cue` candidates, worded by
:mod:`pacer.coach.phrasing`. Whether each is said, and when, is the
:class:`~pacer.coach.cues.CuePolicy`'s call. Catalogue with examples: docs/cues.md.
The countdown is :mod:`pacer.coach.countdown`, pace and cadence feedback
:mod:`pacer.coach.feedback`; the marks (halfway, to go) and splits of a step are here.
"""

from __future__ import annotations

from pacer.coach import phrasing as say
from pacer.coach.candidates import make_cue
from pacer.coach.countdown import Countdown
from pacer.coach.cues import CueSettings
from pacer.coach.feedback import CadenceFeedback, PaceFeedback
from pacer.coach.language.workout import PlannedStep, Workout
from pacer.coach.splits import (
    MIN_POSITION_GAP_S,
    QUARTER_MILE_M,
    clear_of_marks,
    in_quarter_miles,
    mile_words,
    split_for_length_m,
)
from pacer.models import Cue, CueKind, Estimate, Rep, RepKind
from pacer.units import M_PER_MILE


def _interp(x0: float, y0: float, x1: float, y1: float, x: float) -> float:
    if x1 == x0:
        return y1
    return y0 + (y1 - y0) * (x - x0) / (x1 - x0)


class Narrator:
    """Cue candidates for one session (mutable state per step; pure: time is an argument)."""

    def __init__(self, settings: CueSettings) -> None:
        self.settings = settings
        self.spell = settings.spell_numbers
        self.step: PlannedStep | None = None
        self._marks: list[tuple[float, str]] = []  # (distance or time mark, kind of cue)
        self._marks_by_time = False
        self._mark_positions: list[float] = []  # every mark of the step, said or not
        self._countdown = Countdown(settings)
        self._pace = PaceFeedback(settings)
        self._cadence = CadenceFeedback(settings)
        self._last_split_s = 0.0  # elapsed time of the last road split
        self._split: tuple[float | None, bool] | None = None  # this step's split interval
        self._splits_said = 0

    def update_settings(self, settings: CueSettings) -> None:
        """New settings (config reload); the current step's marks and states are kept."""
        self.settings = settings
        self.spell = settings.spell_numbers
        self._countdown.settings = settings
        self._pace.update_settings(settings)
        self._cadence.update_settings(settings)

    # ------------------------------------------------------------------ helpers
    def cue(self, t_s: float, kind: CueKind, text: str, expires_after_s: float) -> Cue:
        return make_cue(t_s, kind, text, expires_after_s)

    def _short(self, step: PlannedStep) -> bool:
        t = step.target_time_s if step.target_time_s is not None else step.duration_s
        return t is not None and t < self.settings.short_rep_s

    def _what(self, step: PlannedStep) -> str:
        """``"400 at 72"``, ``"1 mile at six flat"``, ``"20 minutes at four thirty"``."""
        if step.distance_m is not None:
            in_miles = self.settings.miles and in_quarter_miles(step.distance_m)
            what = say.distance(step.distance_m, in_miles, self.spell)
        elif step.duration_s is not None:
            what = say.duration(step.duration_s, self.spell)
        elif step.until_hr_below_bpm is not None:
            what = f"until heart rate is under {step.until_hr_below_bpm:.0f}"
        else:
            what = "until you press lap"
        hr = step.hr_target
        if hr is not None and step.target_pace_s_per_km is None:
            zone = f"zone {hr.zone}" if hr.zone is not None else None
            return f"{what}, {zone or f'heart rate {hr.low_bpm:.0f} to {hr.high_bpm:.0f}'}"
        if step.target_time_s is not None:
            return f"{what} at {say.rep_time(step.target_time_s, self.spell)}"
        if step.target_pace_s_per_km is not None:
            return f"{what} at {say.pace(step.target_pace_s_per_km, self.settings.miles)} pace"
        return what

    # ------------------------------------------------------------------ moments
    def session_start(self, t_s: float, workout: Workout, plan: list[PlannedStep]) -> list[Cue]:
        work = [p for p in plan if p.kind is RepKind.WORK]
        parts: list[str] = []
        n = workout.rep_count
        if work:
            kinds = {self._what(p) for p in work}
            if n is not None and len(kinds) == 1:
                parts.append(f"{n} by {kinds.pop()}" if n > 1 else kinds.pop())
            elif n is not None:
                parts.append(f"{n} reps")
            else:
                parts.append(f"reps of {self._what(work[0])}, open-ended")
        if plan and plan[0].kind is RepKind.WARMUP:
            first = plan[0]
            length = self._what(first) if not first.is_open else "until you press lap"
            parts.append(f"warm-up {length} first")
        text = ". ".join(parts) or "session ready"
        return [self.cue(t_s, CueKind.SESSION_START, text, 30.0)]

    def armed_text(self, step: PlannedStep) -> str:
        return f"{step.label}, {self._what(step)}. Start when ready"

    def armed(self, t_s: float, step: PlannedStep, *, brief: bool = False) -> list[Cue]:
        """A step waits for the runner: say what it is and how to start it (``brief``:
        only its label, for a runner already moving, so the "go" is not held up)."""
        text = step.label if brief else self.armed_text(step)
        return [self.cue(t_s, CueKind.PREVIEW, text, 20.0)]

    def started(self, t_s: float, step: PlannedStep, *, said_go: bool, announced: bool,
                next_work: PlannedStep | None) -> list[Cue]:  # fmt: skip
        """A step starts. ``announced``: its preview was said while it waited."""
        self.step = step
        self._setup_marks(step)
        self._pace.start_step(t_s)
        self._cadence.start_step(t_s)
        self._countdown.start_step()
        self._last_split_s = 0.0
        self._split = None
        self._splits_said = 0
        out: list[Cue] = []
        if step.kind is RepKind.WORK:
            if not said_go:
                out.append(self.cue(t_s, CueKind.GO, "go", 5.0))
            if step.target_cadence_spm is not None and not self._short(step):
                cadence_text = f"cadence {say.cadence(step.target_cadence_spm, self.spell)}"
                out.append(self.cue(t_s, CueKind.CADENCE, cadence_text, 10.0))
        elif step.kind is RepKind.RECOVERY and next_work is not None:
            if step.distance_m is not None and not step.standing:  # "200 recovery, next ..."
                what = say.distance(step.distance_m, False, self.spell)
                text = f"{what} {step.label}, next {self._what(next_work)}"
            else:
                text = f"{next_work.label}, {self._what(next_work)}"
            out.append(self.cue(t_s, CueKind.PREVIEW, text, 30.0))
        elif step.kind in (RepKind.WARMUP, RepKind.COOLDOWN, RepKind.STEADY) and not announced:
            out.append(self.cue(t_s, CueKind.STATUS, f"{step.label}, {self._what(step)}", 10.0))
        return out

    def ended(self, t_s: float, rep: Rep, step: PlannedStep) -> list[Cue]:
        if step.kind is not RepKind.WORK:
            return []
        if not rep.completed:  # stopped short: no time or pace judged against the target
            n = f"rep {step.rep_number}" if step.rep_number is not None else step.label
            if step.distance_m is not None:
                at = self._total_words(rep.distance_m)
            else:
                at = say.rep_time(rep.duration_s, self.spell)
            return [self.cue(t_s, CueKind.REP_SUMMARY, f"{n} stopped at {at}", 15.0)]
        if step.target_time_s is not None and step.distance_m is not None:
            text = say.rep_time(rep.duration_s, self.spell)
            if abs(rep.distance_m - step.distance_m) < 1.0:
                text += ", " + say.delta(rep.duration_s - step.target_time_s, self.spell)
        elif step.target_pace_s_per_km is not None and rep.pace_s_per_km is not None:
            per_km = rep.pace_s_per_km - step.target_pace_s_per_km
            per = step.target_pace_s_per_km
            if self.settings.miles:
                per_km *= M_PER_MILE / 1000.0
                per *= M_PER_MILE / 1000.0
            unit = "mile" if self.settings.miles else "k"
            text = f"{say.pace(rep.pace_s_per_km, self.settings.miles)} pace, "
            text += f"{say.delta(per_km, self.spell)} per {unit}" if abs(per_km) >= 0.5 \
                else "on target"  # fmt: skip
        else:
            text = say.rep_time(rep.duration_s, self.spell)
        return [self.cue(t_s, CueKind.REP_SUMMARY, text + self._cadence_words(rep, step), 15.0)]

    def _cadence_words(self, rep: Rep, step: PlannedStep) -> str:
        """", cadence 170, 8 low" for a step with a cadence target ("on target" within
        the tolerance), so the summary agrees with the cadence prompts."""
        target = step.target_cadence_spm
        if target is None or rep.cadence_spm is None or self._short(step):
            return ""
        off = round(rep.cadence_spm - target)
        words = f", cadence {say.cadence(rep.cadence_spm, self.spell)}"
        if abs(rep.cadence_spm - target) <= self.settings.cadence_tolerance_spm / 2:
            return words + " on target"
        n = say.cadence(abs(off), self.spell)
        return words + (f", {n} low" if off < 0 else f", {n} high")

    def session_summary(self, t_s: float, reps: list[Rep]) -> list[Cue]:
        """"session done, 6 reps, average 90.6, 5.2 k in total"; reps stopped short are
        counted apart and left out of the average."""
        work = [r for r in reps if r.kind is RepKind.WORK and r.completed]
        stopped = [r for r in reps if r.kind is RepKind.WORK and not r.completed]
        parts = ["session done"]
        if work:
            parts.append(f"{len(work)} rep{'s' if len(work) != 1 else ''}")
            times = [r.duration_s for r in work if r.distance_m > 0]
            lengths = {r.target_distance_m for r in work}
            if times and len(lengths) == 1 and None not in lengths:
                mean = sum(times) / len(times)
                parts.append(f"average {say.rep_time(mean, self.spell)}")
        if stopped:
            n = len(stopped)
            parts.append(f"{n} rep{'s' if n != 1 else ''} stopped short")
        total_m = sum(r.distance_m for r in reps)
        if total_m > 0:
            parts.append(f"{self._total_words(total_m)} in total")
        return [self.cue(t_s, CueKind.SESSION_SUMMARY, ", ".join(parts), 60.0)]

    def _total_words(self, distance_m: float) -> str:
        """A distance run with its unit: "41 metres", "600 metres", "5.2 k", "3 miles"."""
        if distance_m < 999.5 and not (self.settings.miles and distance_m >= M_PER_MILE / 4 - 1):
            n = round(distance_m, -1) if distance_m >= 100 else round(distance_m)
            return f"{say.distance(n, False, self.spell)} metres"
        return say.distance(round(distance_m, -2), self.settings.miles, self.spell)

    def gps(self, t_s: float, lost: bool) -> list[Cue]:
        text = "GPS lost, timing continues" if lost else "GPS back"
        return [self.cue(t_s, CueKind.GPS, text, 10.0)]

    def status(self, t_s: float, text: str) -> list[Cue]:
        return [self.cue(t_s, CueKind.STATUS, text, 5.0)]

    # ------------------------------------------------------------------ countdown
    def countdown(self, now_s: float, end_s: float, next_step: PlannedStep | None,
                  start_s: float | None = None) -> list[Cue]:  # fmt: skip
        """Countdown numbers and "go" for a timed recovery ending at ``end_s``
        (:meth:`pacer.coach.countdown.Countdown.cues`)."""
        return self._countdown.cues(now_s, end_s, next_step, start_s)

    def next_countdown_s(self, end_s: float, max_mark_s: float = float("inf"),
                         not_before_s: float = float("-inf")) -> float | None:  # fmt: skip
        """Time of the next countdown cue not yet said (for the policy's reservation)."""
        return self._countdown.next_s(end_s, max_mark_s, not_before_s)

    # ------------------------------------------------------------------ during a step
    def _setup_marks(self, step: PlannedStep) -> None:
        """Split, halfway and to-go marks of a work step, by distance or by time."""
        self._marks = []
        self._marks_by_time = step.distance_m is None
        if step.kind is not RepKind.WORK:
            return
        prof = self.settings.profile_spec
        if step.distance_m is not None:
            d = step.distance_m
            if prof.to_go_m is not None and d > 2 * prof.to_go_m:  # not at halfway
                self._marks.append((d - prof.to_go_m, "to_go"))
            if d >= 150:
                self._marks.append((d / 2, "halfway"))
        elif step.duration_s is not None:
            t = step.duration_s
            if prof.to_go_s is not None and t > 2 * prof.to_go_s:
                self._marks.append((t - prof.to_go_s, "to_go"))
            if t >= 60:
                self._marks.append((t / 2, "halfway"))
        self._marks.sort()
        self._mark_positions = [m for m, _ in self._marks]

    def _expected_distance_m(self, est: Estimate) -> float | None:
        """The step's distance, or for a timed step its duration at the target pace (at
        the current speed when it has no target pace)."""
        step = self.step
        if step is None:
            return None
        if step.distance_m is not None:
            return step.distance_m
        if step.duration_s is None:
            return None
        if step.target_pace_s_per_km:
            return step.duration_s * 1000.0 / step.target_pace_s_per_km
        return step.duration_s * est.speed_mps if est.speed_mps else None

    def _split_every(self, est: Estimate) -> tuple[float | None, bool]:
        """(interval, by_time) for splits of the current step."""
        if self.settings.split_every_s is not None:
            return self.settings.split_every_s, True
        if self.settings.split_every_m is not None:
            return self.settings.split_every_m, False
        prof = self.settings.profile_spec
        if prof.split_every_track_m is not None:
            # track profile: 100 m on a track (200 m elsewhere); long reps, by distance or
            # by the distance a timed rep is expected to cover, get 200 or 400 m
            every = prof.split_every_track_m if est.on_track else prof.split_every_road_m
            length = self._expected_distance_m(est)
            if length is not None:
                by_length = split_for_length_m(length, self.settings.miles)
                return (by_length if by_length == QUARTER_MILE_M
                        else max(every or 0.0, by_length)), False  # fmt: skip
            return every, False
        if prof.split_every_road_m is None:
            return None, False
        return (M_PER_MILE if self.settings.miles else prof.split_every_road_m), False

    def _step_split_every(self, est: Estimate, pos_m: float,
                          pos_s: float) -> tuple[float | None, bool]:  # fmt: skip
        """The split interval, fixed once the step's first split is said, so the splits
        of a step are the multiples of one interval starting at the first. Before that it
        follows the track lock, but only to an interval whose first mark is still ahead."""
        want = self._split_every(est)
        cur = self._split
        if cur is None or (not self._splits_said and want != cur and want[0]
                           and (pos_s if want[1] else pos_m) < want[0]):  # fmt: skip
            self._split = cur = want
        return cur

    def tick(self, est: Estimate, elapsed0_s: float, dist0_m: float,
             elapsed_s: float, dist_m: float, *, ending: bool = False) -> list[Cue]:  # fmt: skip
        """Cues for the interval from (elapsed0, dist0) to (elapsed, dist) of the step.

        ``ending``: the step ends inside this interval, so ``est`` (taken after the end)
        says nothing about the step's pace or cadence.
        """
        step = self.step
        if step is None or step.kind is not RepKind.WORK:
            return []
        out: list[Cue] = []
        t = est.t_s
        short = self._short(step)
        # marks: halfway and to go
        pos0, pos1 = (elapsed0_s, elapsed_s) if self._marks_by_time else (dist0_m, dist_m)
        for mark, what in list(self._marks):
            if not pos0 < mark <= pos1:
                continue
            self._marks.remove((mark, what))
            at_s = _interp(pos0, elapsed0_s, pos1, elapsed_s, mark)
            if what == "halfway":
                at_m = _interp(pos0, dist0_m, pos1, dist_m, mark)
                text = self._halfway_text(step, at_s, mark, at_m)
                out.append(self.cue(t, CueKind.HALFWAY, text, 4.0))
            else:
                if step.duration_s is not None and self._marks_by_time:
                    text = f"{say.whole_seconds(step.duration_s - mark, self.spell)} seconds to go"
                else:
                    left_m = (step.distance_m or 0.0) - mark
                    text = f"{say.distance(left_m, False, self.spell)} to go"
                out.append(self.cue(t, CueKind.TO_GO, text, 4.0))
        # splits
        every, by_time = self._step_split_every(est, dist0_m, elapsed0_s)
        end = step.duration_s if step.distance_m is None else step.distance_m
        same_unit = by_time == (step.distance_m is None)
        if every:
            a, b = (elapsed0_s, elapsed_s) if by_time else (dist0_m, dist_m)
            mark = (b // every) * every
            others = self._mark_positions if by_time == self._marks_by_time else []
            clear = clear_of_marks(mark, every, end if same_unit else None, others)
            if clear and not by_time and self._marks_by_time:  # a timed step: by the clock
                at = _interp(a, elapsed0_s, b, elapsed_s, mark)
                clear = all(abs(at - m) >= MIN_POSITION_GAP_S for m in self._mark_positions)
                clear = clear and (end is None or at < end - MIN_POSITION_GAP_S)
            if mark >= every and a < mark <= b and clear:
                self._splits_said += 1
                at_s = _interp(a, elapsed0_s, b, elapsed_s, mark)
                text = self._split_text(mark, at_s, every, by_time, short)
                out.append(self.cue(t, CueKind.SPLIT, text, 3.0))
        if ending:
            return out
        out += self._pace.cues(step, est, elapsed_s, short, dist_m)
        out += self._cadence.cues(step, est)
        return out

    def _halfway_text(self, step: PlannedStep, at_s: float, mark: float, at_m: float) -> str:
        if step.distance_m is not None:
            projected = at_s * step.distance_m / mark
            return (f"halfway, {say.rep_time(at_s, self.spell)}, "
                    f"on pace for {say.rep_time(projected, self.spell)}")  # fmt: skip
        if at_m < 50:
            return "halfway"
        avg = at_s * 1000.0 / at_m
        return (f"halfway, {self._total_words(at_m)}, "
                f"{say.pace(avg, self.settings.miles)} pace")  # fmt: skip

    def _split_text(self, mark: float, at_s: float, every: float, by_time: bool,
                    short: bool) -> str:  # fmt: skip
        if by_time:
            return f"{say.duration(mark, self.spell)}"
        time_text = say.rep_time(at_s, self.spell)
        if short:
            return time_text
        if every >= 1000:  # road splits: the time of this km or mile, not the total
            lap_s = at_s - self._last_split_s
            self._last_split_s = at_s
            mark_text = say.distance(mark, self.settings.miles and every % M_PER_MILE < 1.0,
                                     self.spell)  # fmt: skip
            return f"{mark_text}, {say.rep_time(lap_s, self.spell)}"
        if every == QUARTER_MILE_M:
            return f"{mile_words(mark, self.spell)}, {time_text}"
        return f"{say.distance(mark, False, self.spell)}, {time_text}"
