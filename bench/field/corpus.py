#!/usr/bin/env python3
"""Field corpus: labelled real-world-like series for `vigil detect` (issue 13).

Writes DIR/<name>.csv (`timestamp,value`, "YYYY-MM-DD HH:MM:SS") and DIR/labels.json:
  {name: {"interval_minutes": I, "behaviour": B, "base": ..., "anomalies":
          [{"start": ts, "end": ts, "kind": k}], "rows": n, "seed": s, "notes": ...}}
An anomaly window [start, end) covers the rows where the anomaly is visible (>= 1 row;
`end` is the time of the first row after it). Python 3 stdlib only; the same --split and
--per-behaviour always give the same files (each series has its own seed).

Splits: `tuning` uses seeds 100000.., `heldout` 200000.. (never tune on heldout).
Behaviours (--per-behaviour each, default 7, intervals 5/10/15/30/60 min, 1-10 weeks):
  bursty      counts (Poisson / negative binomial) around a daily (sometimes weekly) cycle
              with routine heavy-tailed bursts (2-6x, 1-6 buckets, every 0.5-3 days) that
              are NOT anomalies; anomalies: a burst >= 3x the biggest routine one so far,
              or a drop / outage in the daytime.
  level_shift a lasting shift (x0.33..0.7 or x1.3..3); label = the first 2-4 hours after
              it; half also have a labelled spike elsewhere.
  no_cycle    CPU % (AR(1)), temperature (slow wander), price (random walk + noise),
              trending totals; 40% with routine unlabelled blips of a periodic job;
              anomalies: spike, dip, ramp to failure, variance burst.
  weekly      weekly-only or daily+weekly (weekend different) cycle; dips and spikes.
  low_count   Poisson 0.3-5 per bucket at night, tens by day; outage (zeros for hours
              in the day) or strong spike.
  irregular   one of the above with random phase, +-1-2 min jitter, dropped rows (1
              bucket .. hours) and some empty values.
  new_series  starts mid-file (zeros or no rows before), first 7-10 days, anomalies in
              its days 3-7.
  clean       --clean series (default 5) of the above kinds with no anomaly.

Usage: corpus.py --split tuning|heldout --out DIR [--per-behaviour 7] [--clean 5]
       corpus.py --summary DIR    (one line per series: level, noise, anomalies)
       corpus.py --show DIR NAME  (each label of a series with its context)
"""
import argparse
import datetime as dt
import json
import math
import os
import random
import statistics

SPLIT_SEEDS = {"tuning": 100000, "heldout": 200000}
BEHAVIOURS = ["bursty", "level_shift", "no_cycle", "weekly", "low_count", "irregular",
              "new_series"]
INTERVALS = [5, 10, 15, 30, 60]
MAX_ROWS = 12000  # keeps the whole corpus small (5-minute series <= ~6 weeks)
DAY = 1440  # minutes


# ---------------------------------------------------------------- random helpers
def loguniform(rng, lo, hi):
    return math.exp(rng.uniform(math.log(lo), math.log(hi)))


def poisson(rng, lam):
    if lam <= 0:
        return 0
    if lam < 30:
        limit, k, p = math.exp(-lam), 0, rng.random()
        while p > limit:
            k += 1
            p *= rng.random()
        return k
    return max(0, round(rng.gauss(lam, math.sqrt(lam))))


def negbin(rng, lam, shape):
    """Gamma-Poisson mixture: mean lam, variance lam + lam^2 / shape."""
    if lam <= 0:
        return 0
    return poisson(rng, rng.gammavariate(shape, lam / shape))


def noise_draw(rng, kind):
    """Unit-scale noise of a named law (sd about 1)."""
    if kind == "gauss":
        return rng.gauss(0, 1)
    if kind == "laplace":
        return (rng.expovariate(1) - rng.expovariate(1)) / math.sqrt(2)
    if kind == "student3":  # t with 3 dof, scaled to sd ~1 (heavy tails)
        z = rng.gauss(0, 1)
        chi = sum(rng.gauss(0, 1) ** 2 for _ in range(3))
        return z / math.sqrt(chi / 3) / math.sqrt(3)
    raise ValueError(kind)


def daily_profile(rng, night_ratio):
    """A function hour -> factor in [night_ratio, 1]: one or two bumps (morning/evening)."""
    peaks = [(rng.uniform(11, 21), rng.uniform(2.5, 6), 1.0)]
    if rng.random() < 0.5:
        peaks.append((rng.uniform(8, 11), rng.uniform(1.5, 3), rng.uniform(0.4, 0.9)))

    def raw(h):
        s = 0.0
        for centre, width, height in peaks:
            d = min(abs(h - centre), 24 - abs(h - centre))
            s += height * math.exp(-0.5 * (d / width) ** 2)
        return s
    top = max(raw(h / 4) for h in range(96))
    return lambda h: night_ratio + (1 - night_ratio) * raw(h) / top


def weekly_factor(rng):
    """weekday (0 = Monday) -> factor; weekends lower (most) or higher (leisure apps)."""
    weekend = rng.uniform(0.35, 0.8) if rng.random() < 0.7 else rng.uniform(1.15, 1.6)
    friday = 1 + (weekend - 1) * rng.uniform(0, 0.4)
    return lambda wd: weekend if wd >= 5 else (friday if wd == 4 else 1.0)


# ---------------------------------------------------------------- series skeleton
class Series:
    def __init__(self, rng, interval, days):
        self.rng = rng
        self.interval = interval
        self.n = min(int(days * DAY / interval), MAX_ROWS)
        self.per_day = DAY // interval
        day0 = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(900))
        self.start = dt.datetime.combine(day0, dt.time())
        self.values = [None] * self.n
        self.anomalies = []  # (i0, i1, kind), rows [i0, i1)
        self.meta = {}

    def hour(self, i):
        return (i % self.per_day) * self.interval / 60

    def weekday(self, i):
        return (self.start.weekday() + i // self.per_day) % 7

    def buckets(self, hours):
        return max(1, round(hours * 60 / self.interval))

    def free(self, i0, i1, margin):
        return all(i1 + margin <= a or b + margin <= i0 for a, b, _ in self.anomalies)

    def place(self, length, earliest_days=2.5, margin_days=1.0, ok=None, tries=400):
        """A start row for an anomaly of `length` rows: after the warm-up (and 15% of
        the series), >= margin_days from other anomalies, >= 4 rows before the end."""
        lo = max(int(earliest_days * self.per_day), int(0.15 * self.n))
        hi = self.n - length - 4
        margin = int(margin_days * self.per_day)
        for _ in range(tries):
            if hi <= lo:
                return None
            i0 = self.rng.randrange(lo, hi)
            if self.free(i0, i0 + length, margin) and (ok is None or ok(i0)):
                return i0
        return None

    def label(self, i0, length, kind):
        self.anomalies.append((i0, i0 + length, kind))


def n_anomalies(rng, s):
    return rng.choice([1, 1, 2, 2, 3]) if s.n > 3 * s.per_day else 1


def decimals_for(level):
    return 0 if level >= 1000 else (2 if level >= 10 else 4)


# ---------------------------------------------------------------- behaviours
def gen_bursty(s, anomalies=True):
    rng = s.rng
    peak = loguniform(rng, 5, 1e6)
    shape = loguniform(rng, 8, 200)
    prof = daily_profile(rng, rng.uniform(0.05, 0.5))
    week = weekly_factor(rng) if rng.random() < 0.4 else (lambda wd: 1.0)
    gap_days = rng.uniform(0.5, 3)
    alpha = rng.uniform(1.2, 2.5)
    base, drift = [], 0.0
    for i in range(s.n):
        drift = 0.999 * drift + rng.gauss(0, 0.004)
        base.append(peak * prof(s.hour(i)) * week(s.weekday(i)) * math.exp(drift))
    mult = [1.0] * s.n
    # anomalies first so routine bursts keep away from them
    biggest = 2.0  # routine multipliers are >= 2; bounded by 6
    routine = []  # (start, m) planned; the extreme bursts need the biggest before them
    i = int(rng.expovariate(1 / (gap_days * s.per_day)))
    while i < s.n:
        m = min(6.0, 2.0 * rng.paretovariate(alpha))
        routine.append((i, m, rng.choice([1, 1, 2, 2, 3, 4, 5, 6]), rng.uniform(0.4, 0.8)))
        i += 1 + int(rng.expovariate(1 / (gap_days * s.per_day)))
    kinds = []
    if anomalies:
        for _ in range(n_anomalies(rng, s)):
            kinds.append("extreme_burst" if rng.random() < 0.5 else "drop")
    for kind in kinds:
        if kind == "extreme_burst":
            length = rng.choice([1, 2, 3, 4])
            i0 = s.place(length)
            if i0 is None:
                continue
            before = max([m for j, m, _, _ in routine if j < i0] or [2.0])
            big = rng.uniform(3, 5) * before
            ref = max(base[i0], 0.5 * peak)  # visible whatever the time of day
            for j in range(length):
                mult[i0 + j] = big * (0.75 ** j) * ref / base[i0 + j]
            s.label(i0, length, kind)
        else:
            length = s.buckets(rng.uniform(1, 6))
            length = max(length, 2)
            i0 = s.place(length, ok=lambda k: min(base[k:k + length]) >= 0.4 * peak)
            if i0 is None:
                continue
            keep = 0.0 if rng.random() < 0.5 else rng.uniform(0.05, 0.25)
            for j in range(length):
                mult[i0 + j] = keep
            s.label(i0, length, "outage" if keep == 0 else "drop")
    margin = 3
    for i, m, length, decay in routine:
        if not s.free(i, i + length, margin) or i + length > s.n:
            continue
        biggest = max(biggest, m)
        for j in range(length):
            mult[i + j] *= 1 + (m - 1) * decay ** j
    for i in range(s.n):
        s.values[i] = negbin(rng, base[i] * mult[i], shape)
    s.meta.update(level=round(peak, 2), noise=f"negbin(shape={shape:.0f})",
                  notes=f"routine bursts every ~{gap_days:.1f} d, max x{biggest:.1f}")


def continuous_noise(rng, level):
    return rng.choice(["gauss", "laplace", "student3"])


def gen_level_shift(s, anomalies=True):
    rng = s.rng
    up = rng.random() < 0.5
    factor = rng.uniform(1.3, 3) if up else rng.uniform(0.33, 0.7)
    rel = abs(factor - 1)
    counts = rng.random() < 0.5
    cycle = rng.random() < 0.6
    prof = daily_profile(rng, rng.uniform(0.2, 0.7)) if cycle else (lambda h: 1.0)
    if counts:
        level = loguniform(rng, max(200, 25 / rel ** 2), 1e6)
        cv = 0.0
    else:
        level = loguniform(rng, 1, 1e7)
        cv = rng.uniform(0.01, rel / 5)
    law = continuous_noise(rng, level)
    shift = s.place(s.buckets(4), earliest_days=2.5) if anomalies else None
    if shift is None and anomalies:
        shift = s.n // 2
    label_len = s.buckets(rng.uniform(2, 4))
    label_len = max(label_len, 2)
    if anomalies:
        s.label(shift, label_len, "level_shift_up" if up else "level_shift_down")
    spike = None
    if anomalies and rng.random() < 0.5:
        length = rng.choice([1, 1, 2, 3])
        spike = s.place(length, margin_days=1.0)
        if spike is not None:
            s.label(spike, length, "spike")
    spike_mult = rng.uniform(3, 6) if rng.random() < 0.7 else rng.uniform(0.05, 0.3)
    ar = 0.0
    for i in range(s.n):
        f = factor if anomalies and i >= shift else 1.0
        if spike is not None and spike <= i < spike + length:
            f *= spike_mult
        mean = level * prof(s.hour(i)) * f
        if counts:
            s.values[i] = poisson(rng, mean)
        else:
            ar = 0.5 * ar + noise_draw(rng, law) * math.sqrt(0.75)
            s.values[i] = round(max(0.0, mean * (1 + cv * ar)), decimals_for(level))
    s.meta.update(level=round(level, 3), noise="poisson" if counts else f"{law} cv={cv:.3f}",
                  notes=f"shift x{factor:.2f}, daily cycle {cycle}")


def robust_sd(xs):
    xs = [x for x in xs if x is not None]
    if len(xs) < 3:
        return 0.0
    med = statistics.median(xs)
    return 1.4826 * statistics.median(abs(x - med) for x in xs)


def gen_no_cycle(s, anomalies=True, kind=None):
    rng = s.rng
    kind = kind or ["cpu", "temperature", "price", "trend"][s.index % 4]  # all 4 per split
    law = continuous_noise(rng, 1)
    xs = []
    if kind == "cpu":
        m, phi = rng.uniform(2, 60), rng.uniform(0.5, 0.95)
        sd = m * rng.uniform(0.05, 0.2) + 0.3
        a = 0.0
        for _ in range(s.n):
            a = phi * a + noise_draw(rng, law) * sd * math.sqrt(1 - phi * phi)
            xs.append(m + a)
        level, dec, note = m, 2, f"AR(1) phi={phi:.2f} sd={sd:.2f}"
    elif kind == "temperature":
        m = rng.uniform(35, 85)
        tau = rng.uniform(1, 3) * s.per_day
        amp = rng.uniform(1, 4)
        sd = rng.uniform(0.1, 0.5)
        w = 0.0
        for _ in range(s.n):
            w = w * (1 - 1 / tau) + rng.gauss(0, amp * math.sqrt(2 / tau))
            xs.append(m + w + noise_draw(rng, law) * sd)
        level, dec, note = m, 1, f"wander amp {amp:.1f}, noise {sd:.2f}"
    elif kind == "price":
        m = loguniform(rng, 0.05, 500)
        step = rng.uniform(0.001, 0.004) * math.sqrt(s.interval / 5)
        obs = rng.uniform(0.005, 0.03)
        lw = 0.0
        for _ in range(s.n):
            lw += rng.gauss(0, step) - 0.002 * lw
            xs.append(m * math.exp(lw) * (1 + obs * noise_draw(rng, law)))
        level, dec, note = m, decimals_for(m) + 2, f"log random walk step {step:.4f}, obs {obs:.3f}"
    else:
        m = loguniform(rng, 1e3, 1e7)
        slope = rng.uniform(-0.3, 0.5) / s.n
        cv = rng.uniform(0.005, 0.03)
        for i in range(s.n):
            xs.append(m * (1 + slope * i) * (1 + cv * noise_draw(rng, law)))
        level, dec, note = m, decimals_for(m), f"trend {slope * s.n:+.2f}, cv {cv:.3f}"
    if anomalies:
        for _ in range(n_anomalies(rng, s)):
            add_machine_anomaly(s, xs, rng.choice(["spike", "dip", "ramp", "variance"]), kind)
    if rng.random() < 0.4:
        note += add_job_blips(s, xs)
    lo = 0.0
    hi = 100.0 if kind == "cpu" else float("inf")
    s.values = [round(min(hi, max(lo, x)), dec) for x in xs]
    s.meta.update(level=round(level, 3), noise=f"{kind}: {law}", notes=note)


def add_job_blips(s, xs):
    """Routine, unlabelled blips of a periodic job (backup, cron, batch) at a fixed phase:
    2.5-5 robust sd, every 1-24 hours, never within 3 rows of an anomaly."""
    rng = s.rng
    hours = rng.choice([h for h in (1, 2, 4, 6, 12, 24) if h * 60 / s.interval >= 4])
    period = s.buckets(hours)
    phase = rng.randrange(period)
    length = rng.choice([1, 1, 2])
    sd = robust_sd(xs[:s.per_day]) or 1e-3 * abs(xs[0]) or 1e-3
    amp = rng.uniform(2.5, 5) * sd * rng.choice([1, 1, 1, -1])
    near = set()
    for a, b, _ in s.anomalies:
        near.update(range(a - 3, b + 3))
    for i in range(phase, s.n, period):
        for j in range(i, min(s.n, i + length)):
            if j not in near:
                xs[j] += amp * (1 + 0.2 * rng.gauss(0, 1))
    return f", routine job blips every {hours} h ({amp / sd:+.1f} sd)"


def add_machine_anomaly(s, xs, what, kind):
    rng = s.rng
    if what == "ramp":
        ramp = s.buckets(rng.uniform(2, 12))
        ramp = max(ramp, 3)
        fail = s.buckets(rng.uniform(1, 4))
        length = ramp + fail
    elif what == "variance":
        length = max(3, s.buckets(rng.uniform(1, 4)))
    else:
        length = rng.choice([1, 1, 2, 3])
    i0 = s.place(length)
    if i0 is None:
        return
    local = xs[max(0, i0 - s.per_day):i0]
    sd = max(robust_sd(local), statistics.pstdev(local) * 0.5, 1e-3 * abs(statistics.mean(local)))
    sign = 1 if (what == "spike" or (what == "ramp" and kind != "price")) else -1
    if what in ("spike", "dip"):
        amp = rng.uniform(6, 10) * sd
        for j in range(length):
            xs[i0 + j] += sign * amp
    elif what == "variance":
        extra = rng.uniform(5, 10) * sd
        for j in range(length):
            xs[i0 + j] += rng.gauss(0, extra)
    else:
        amp = rng.uniform(6, 12) * sd
        for j in range(ramp):
            xs[i0 + j] += sign * amp * (j + 1) / ramp
        floor_value = 0.0 if kind != "temperature" else xs[i0] - rng.uniform(15, 30)
        for j in range(ramp, length):
            xs[i0 + j] = floor_value + rng.gauss(0, sd * 0.2)
    s.label(i0, length, what)


def gen_weekly(s, anomalies=True):
    rng = s.rng
    only_weekly = rng.random() < 0.4
    level = loguniform(rng, 100, 1e6)
    week = weekly_factor(rng)
    if only_weekly:
        prof_wd = prof_we = (lambda h: 1.0)
    else:
        prof_wd = daily_profile(rng, rng.uniform(0.1, 0.5))
        prof_we = daily_profile(rng, rng.uniform(0.1, 0.5))
    counts = rng.random() < 0.6
    cv = rng.uniform(0.01, 0.08)
    law = continuous_noise(rng, level)
    mult = [1.0] * s.n
    if anomalies:
        for _ in range(n_anomalies(rng, s)):
            if rng.random() < 0.5:
                length = max(2, s.buckets(rng.uniform(1, 6)))
                i0 = s.place(length, earliest_days=8)
                if i0 is None:
                    continue
                f = rng.uniform(0.3, 0.6)
                kind = "dip"
            else:
                length = rng.choice([1, 2, 3, 4])
                i0 = s.place(length, earliest_days=8)
                if i0 is None:
                    continue
                f = rng.uniform(2, 4)
                kind = "spike"
            for j in range(length):
                mult[i0 + j] = f
            s.label(i0, length, kind)
    for i in range(s.n):
        wd = s.weekday(i)
        prof = prof_we if wd >= 5 else prof_wd
        mean = level * week(wd) * prof(s.hour(i)) * mult[i]
        if counts:
            s.values[i] = poisson(rng, mean * (1 + 0.02 * rng.gauss(0, 1)))
        else:
            s.values[i] = round(max(0.0, mean * (1 + cv * noise_draw(rng, law))),
                                decimals_for(level))
    s.meta.update(level=round(level, 2), noise="poisson" if counts else f"{law} cv={cv:.3f}",
                  notes="weekly only" if only_weekly else "daily + weekly (weekend profile)")


def gen_low_count(s, anomalies=True):
    rng = s.rng
    night = rng.uniform(0.3, 5)
    day = rng.uniform(10, 80)
    prof = daily_profile(rng, night / day)
    week = weekly_factor(rng) if rng.random() < 0.3 else (lambda wd: 1.0)
    lam = [day * prof(s.hour(i)) * week(s.weekday(i)) for i in range(s.n)]
    if anomalies:
        for _ in range(n_anomalies(rng, s)):
            if rng.random() < 0.5:
                length = max(2, s.buckets(rng.uniform(2, 6)))
                i0 = s.place(length, ok=lambda k: min(lam[k:k + length]) >= 8)
                if i0 is None:
                    continue
                for j in range(length):
                    lam[i0 + j] = 0.0
                s.label(i0, length, "outage")
            else:
                length = rng.choice([1, 1, 2])
                i0 = s.place(length)
                if i0 is None:
                    continue
                for j in range(length):
                    lam[i0 + j] = lam[i0 + j] * rng.uniform(4, 8) + 12
                s.label(i0, length, "spike")
    s.values = [poisson(rng, x) for x in lam]
    s.meta.update(level=round(day, 2), noise="poisson", notes=f"night mean {night:.2f}")


def gen_new_series(s, anomalies=True):
    """Called with a Series sized for pre + active days; fills zeros or None before."""
    rng = s.rng
    active_days = rng.uniform(7, 10)
    first = s.n - int(active_days * s.per_day) + rng.randrange(s.per_day)
    first = max(1, min(first, s.n - 7 * s.per_day))
    peak = loguniform(rng, 10, 1e5)
    prof = daily_profile(rng, rng.uniform(0.1, 0.5))
    g0, tau = rng.uniform(0.4, 0.9), rng.uniform(0.5, 3) * s.per_day
    mult = [1.0] * s.n
    if anomalies:
        lo, hi = first + 3 * s.per_day, min(s.n - 6, first + 7 * s.per_day)
        for _ in range(rng.choice([1, 1, 2])):
            kind = rng.choice(["dip", "outage", "spike"])
            length = rng.choice([1, 2, 3]) if kind == "spike" else max(2, s.buckets(rng.uniform(1, 4)))
            for _ in range(200):
                i0 = rng.randrange(lo, hi - length)
                if s.free(i0, i0 + length, s.per_day // 2) and prof(s.hour(i0)) > 0.5:
                    break
            else:
                continue
            f = {"dip": rng.uniform(0.2, 0.5), "outage": 0.0, "spike": rng.uniform(3, 6)}[kind]
            for j in range(length):
                mult[i0 + j] = f
            s.label(i0, length, kind)
    for i in range(first, s.n):
        growth = 1 - (1 - g0) * math.exp(-(i - first) / tau)
        s.values[i] = poisson(rng, peak * prof(s.hour(i)) * growth * mult[i])
    if s.values[first] == 0:
        s.values[first] = 1  # the first event
    before = "zeros" if rng.random() < 0.6 else "no rows"
    for i in range(first):
        s.values[i] = 0 if before == "zeros" else "DROP"
    s.meta.update(level=round(peak, 2), noise="poisson",
                  notes=f"starts at row {first} ({before} before), growth from x{g0:.2f}")


GENERATORS = {"bursty": gen_bursty, "level_shift": gen_level_shift, "no_cycle": gen_no_cycle,
              "weekly": gen_weekly, "low_count": gen_low_count, "new_series": gen_new_series}


# ---------------------------------------------------------------- irregular time axis
def make_irregular(s):
    """Random phase, jitter, dropped rows (never within 3 rows of an anomaly) and a few
    empty values. Returns per-row offsets in seconds (None = row dropped)."""
    rng = s.rng
    step = s.interval * 60
    phase = rng.randrange(60, step - 59) if step > 120 else 0
    jitter = min(rng.uniform(60, 120), step / 2 - 31)
    near = set()
    for a, b, _ in s.anomalies:
        near.update(range(max(0, a - 3), min(s.n, b + 3)))
    offsets = [phase + round(rng.uniform(-jitter, jitter)) for _ in range(s.n)]
    gaps = 0
    i = 0
    while i < s.n:
        if rng.random() < 1 / 400:
            length = 1 if rng.random() < 0.6 else s.buckets(rng.uniform(1, 6))
            span = range(i, min(s.n, i + length))
            if not near.intersection(span) and i > 0:
                for j in span:
                    offsets[j] = None
                gaps += 1
            i += length
        else:
            i += 1
    empties = 0
    for i in range(1, s.n):
        if offsets[i] is not None and i not in near and rng.random() < 0.004:
            s.values[i] = None
            empties += 1
    s.meta["irregular"] = (f"phase {phase // 60}m{phase % 60:02d}s, jitter +-{jitter:.0f}s, "
                           f"{gaps} gaps, {empties} empty values")
    return offsets


# ---------------------------------------------------------------- one series
def build(behaviour, seed, index, anomalies=True, base=None):
    rng = random.Random(seed)
    interval = INTERVALS[(index + seed // 7) % len(INTERVALS)]
    kind = base or behaviour
    if kind == "irregular":
        kind = ["bursty", "level_shift", "no_cycle", "weekly", "low_count"][index % 5]
    if kind == "new_series":
        days = rng.uniform(2, 14) + 10
    elif kind == "weekly":
        days = rng.uniform(14, 70)
    else:
        days = rng.uniform(7, 70)
    s = Series(rng, interval, days)
    s.index = seed  # seeds of a behaviour are consecutive
    GENERATORS[kind](s, anomalies)
    offsets = make_irregular(s) if behaviour == "irregular" else [0] * s.n
    return s, kind, offsets


def fmt_value(v):
    if v is None:
        return ""
    if isinstance(v, int):
        return str(v)
    return f"{v:.6f}".rstrip("0").rstrip(".") if v != int(v) else str(int(v))


def write_series(out_dir, name, behaviour, kind, seed, s, offsets):
    step = s.interval * 60
    times = [None if offsets[i] is None or s.values[i] == "DROP"
             else s.start + dt.timedelta(seconds=i * step + offsets[i]) for i in range(s.n)]
    with open(os.path.join(out_dir, name + ".csv"), "w") as f:
        f.write("timestamp,value\n")
        for i in range(s.n):
            if times[i] is not None:
                f.write(f"{times[i]:%Y-%m-%d %H:%M:%S},{fmt_value(s.values[i])}\n")

    def row_time(i):  # the written time of row i, or its nominal time if not written
        if i < s.n and times[i] is not None:
            return times[i]
        return s.start + dt.timedelta(seconds=i * step + (offsets[min(i, s.n - 1)] or 0))
    labels = []
    for i0, i1, k in sorted(s.anomalies):
        labels.append({"start": f"{row_time(i0):%Y-%m-%d %H:%M:%S}",
                       "end": f"{row_time(i1):%Y-%m-%d %H:%M:%S}", "kind": k})
    rows = sum(t is not None for t in times)
    entry = {"interval_minutes": s.interval, "behaviour": behaviour, "base": kind,
             "anomalies": labels, "rows": rows, "days": round(s.n * s.interval / DAY, 2),
             "seed": seed}
    entry.update(s.meta)
    return entry


def generate(split, out_dir, per_behaviour, clean):
    os.makedirs(out_dir, exist_ok=True)
    base_seed = SPLIT_SEEDS[split]
    labels = {}
    for b_index, behaviour in enumerate(BEHAVIOURS):
        for k in range(per_behaviour):
            seed = base_seed + 1000 * b_index + k
            s, kind, offsets = build(behaviour, seed, k)
            name = f"{behaviour}_{k:02d}" + (f"_{kind}" if behaviour == "irregular" else "")
            name += f"_{s.interval}m"
            labels[name] = write_series(out_dir, name, behaviour, kind, seed, s, offsets)
    clean_kinds = ["bursty", "weekly", "no_cycle", "low_count", "bursty", "no_cycle"]
    for k in range(clean):
        seed = base_seed + 9000 + k
        kind = clean_kinds[k % len(clean_kinds)]
        s, kind, offsets = build("clean", seed, k, anomalies=False, base=kind)
        name = f"clean_{k:02d}_{kind}_{s.interval}m"
        labels[name] = write_series(out_dir, name, "clean", kind, seed, s, offsets)
    with open(os.path.join(out_dir, "labels.json"), "w") as f:
        json.dump(labels, f, indent=1, sort_keys=True)
    return labels


def summary(out_dir):
    with open(os.path.join(out_dir, "labels.json")) as f:
        labels = json.load(f)
    for name, e in sorted(labels.items()):
        vals = []
        with open(os.path.join(out_dir, name + ".csv")) as f:
            next(f)
            for line in f:
                v = line.rstrip("\n").split(",")[1]
                if v:
                    vals.append(float(v))
        q = sorted(vals)
        pct = lambda p: q[min(len(q) - 1, int(p * len(q)))]
        kinds = ",".join(a["kind"] for a in e["anomalies"]) or "-"
        print(f"{name:34s} {e['rows']:6d} rows {e['days']:5.1f} d  p1 {pct(0.01):<10.4g} "
              f"p50 {pct(0.5):<10.4g} p99 {pct(0.99):<10.4g} max {q[-1]:<10.4g} {kinds}")


def show(out_dir, name):
    """Each label of one series in context: rows around it, with the values at the same
    time a day and a week earlier (to judge by eye whether it is visible)."""
    with open(os.path.join(out_dir, "labels.json")) as f:
        e = json.load(f)[name]
    rows = []
    with open(os.path.join(out_dir, name + ".csv")) as f:
        next(f)
        rows = [line.rstrip("\n").split(",") for line in f]
    at = {r[0][:16]: r[1] for r in rows}
    print(name, json.dumps({k: v for k, v in e.items() if k != "anomalies"}))

    def earlier(ts, days):
        t = dt.datetime.strptime(ts, "%Y-%m-%d %H:%M:%S") - dt.timedelta(days=days)
        return at.get(f"{t:%Y-%m-%d %H:%M}", "?")
    for a in e["anomalies"]:
        idx = [i for i, r in enumerate(rows) if a["start"] <= r[0] < a["end"]]
        print(f"  {a['kind']} {a['start']} .. {a['end']}   (value | 1 day ago | 7 days ago)")
        for i in range(max(0, idx[0] - 4), min(len(rows), idx[-1] + 5)):
            mark = "*" if i in idx else " "
            print(f"   {mark} {rows[i][0]} {rows[i][1]:>12s} | {earlier(rows[i][0], 1):>12s} | "
                  f"{earlier(rows[i][0], 7):>12s}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", choices=sorted(SPLIT_SEEDS))
    ap.add_argument("--out")
    ap.add_argument("--per-behaviour", type=int, default=7)
    ap.add_argument("--clean", type=int, default=5)
    ap.add_argument("--summary", metavar="DIR")
    ap.add_argument("--show", nargs=2, metavar=("DIR", "NAME"))
    args = ap.parse_args()
    if args.summary:
        summary(args.summary)
        return
    if args.show:
        show(*args.show)
        return
    if not args.split or not args.out:
        ap.error("--split and --out are required (or --summary DIR)")
    labels = generate(args.split, args.out, args.per_behaviour, args.clean)
    rows = sum(e["rows"] for e in labels.values())
    n_lab = sum(len(e["anomalies"]) for e in labels.values())
    print(f"corpus {args.split}: {len(labels)} series, {rows} rows, {n_lab} anomalies -> {args.out}")


if __name__ == "__main__":
    main()
