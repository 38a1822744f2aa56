#!/usr/bin/env python3
"""Scores anomaly detectors on the field corpus (bench/field/corpus.py), per behaviour.

Each series DIR/<name>.csv is run through each detector at its own interval
(`vigil detect --interval-minutes I --method M [--param k=v] < file.csv`, default
settings otherwise); the verdict of row i is column `is_anomaly` of output row i (one
output row per input row). Labels come from DIR/labels.json.

Definitions (I = the series' interval; a bucket = I minutes):
  label window      [start, end) from labels.json (the rows where the anomaly is visible).
  extended window   [start - 1 bucket, end + 3 buckets): the tolerance for a detector
                    that fires a little early (grid rounding) or late (confirmation).
  episode           a maximal run of consecutive flagged rows (in row order).
  true episode      one whose time span [first row, last row] overlaps an extended window;
                    every other episode is false.
  found label       a flagged row falls inside its extended window.
  precision         true episodes / episodes;  recall = found labels / labels;  F1.
  FE/sw             false episodes / series-weeks (a series' duration = last - first
                    timestamp + 1 bucket); FE/sd is the same per series-day.
  delay             buckets from the label start to the first flagged row in its extended
                    window (-1 = one bucket early), median over found labels.
  errors            files on which the detector exited non-zero or gave a different
                    number of rows: counted as no detections (so as misses), never hidden.
  NAB               the Numenta Anomaly Benchmark score, standard profile (TP weight 1,
                    FP 0.11, FN 1), normalised 0 (null detector: no detections) .. 100
                    (a detection on the first row of every window), summed over files:
                    * windows: per series, 10% of its rows divided by its label count,
                      centred on each label's first row (as NAB centres them on its point
                      labels), stretched to cover the label's end + 3 buckets, clipped to
                      the file; overlapping windows merge.
                    * the first detection in a window scores sigma(y) = 2/(1+e^(5y)) - 1,
                      y = -(window end - row)/window length (-1 at its first row, ~0 at its
                      last); later ones in the same window score nothing.
                    * a flagged row outside every window: -0.11 x 1 if no window precedes
                      it; after a window, -0.11 x -sigma(distance / window length), i.e.
                      milder just after a window (NAB's rule); sigma(x) = -1 for x > 3.
                    * a window without a detection: -1.
                    * detections in NAB's probationary period (first 15% of rows, at most
                      750) are ignored.
                    Simplifications: every flagged row is one detection (vigil's verdicts
                    are binary, so NAB's threshold optimisation does not apply); windows
                    come from interval labels, not NAB's hand-made windows; rows, not
                    timestamps, measure positions (irregular files have gaps).
Reference detector `gauss`: trailing mean and sd of the last W rows' values (at least
half of them present), flags |x - mean| > k sd. W = 3 days of buckets, k = 6: the best F1
of the grid W in {0.25, 1, 3} days x k in {3, 4, 5, 6, 8} on the tuning split
(`--tune-gauss`; F1 0.36 there, against 0.22 for W = 1 day, k = 4).

Usage: score.py --corpus tuning=DIR [--corpus heldout=DIR] [--binary name=path ...]
                [--methods seasonal,iqr,dayago] [--extra "seasonal k=5 level=24" ...]
                [--no-gauss] [--jobs 2] [--detail DETECTOR] [--json FILE] [--tune-gauss]
The default binary is $VIGIL or build/vigil, named "vigil".
"""
import argparse
import concurrent.futures
import datetime as dt
import json
import math
import os
import statistics
import subprocess
import sys
import time

GAUSS_WINDOW_DAYS = 3.0  # chosen on the tuning split, see the docstring
GAUSS_K = 6.0
TOL_BEFORE, TOL_AFTER = 1, 3  # buckets
NAB_TP, NAB_FP, NAB_FN = 1.0, 0.11, 1.0
NAB_WINDOW_FRACTION = 0.10


# ---------------------------------------------------------------- input
_day_cache = {}


def parse_ts(text):
    """'YYYY-MM-DD HH:MM:SS' -> seconds (the time as written, no zone)."""
    day = text[:10]
    base = _day_cache.get(day)
    if base is None:
        base = dt.date(int(day[:4]), int(day[5:7]), int(day[8:10])).toordinal() * 86400
        _day_cache[day] = base
    return base + int(text[11:13]) * 3600 + int(text[14:16]) * 60 + int(text[17:19])


class Series:
    def __init__(self, directory, name, entry):
        self.name = name
        self.path = os.path.join(directory, name + ".csv")
        self.interval = entry["interval_minutes"]
        self.behaviour = entry["behaviour"]
        self.times, self.values = [], []
        with open(self.path) as f:
            next(f)
            for line in f:
                ts, _, v = line.rstrip("\n").partition(",")
                self.times.append(parse_ts(ts))
                self.values.append(float(v) if v else None)
        self.labels = [(parse_ts(a["start"]), parse_ts(a["end"]), a["kind"])
                       for a in entry["anomalies"]]
        step = self.interval * 60
        self.weeks = (self.times[-1] - self.times[0] + step) / (7 * 86400)


def load_corpus(directory):
    with open(os.path.join(directory, "labels.json")) as f:
        labels = json.load(f)
    return [Series(directory, name, entry) for name, entry in sorted(labels.items())]


# ---------------------------------------------------------------- detectors
class VigilDetector:
    def __init__(self, name, binary, method, params):
        self.name, self.binary, self.method, self.params = name, binary, method, params

    def flags(self, series):
        """(flags, None) or (None, error text)."""
        cmd = [self.binary, "--quiet", "detect", "--method", self.method,
               "--interval-minutes", str(series.interval)]
        for p in self.params:
            cmd += ["--param", p]
        with open(series.path, "rb") as stdin:
            proc = subprocess.run(cmd, stdin=stdin, capture_output=True)
        if proc.returncode != 0:
            err = proc.stderr.decode(errors="replace").strip().splitlines()
            return None, f"exit {proc.returncode}: {err[-1] if err else '(no message)'}"
        lines = proc.stdout.decode().splitlines()
        out = [line.split(",")[2] == "1" for line in lines[1:] if line]
        if len(out) != len(series.times):
            return None, f"{len(out)} output rows for {len(series.times)} input rows"
        return out, None


def gauss_z(series, window_days):
    """|z| of each row against the trailing window of the previous W rows (None: no
    verdict)."""
    w = max(2, round(window_days * 1440 / series.interval))
    vals = series.values
    shift = next((v for v in vals if v is not None), 0.0)
    s = s2 = 0.0
    count = 0
    out = []
    for i, x in enumerate(vals):
        z = None
        if x is not None and count >= w / 2:
            mean = s / count
            var = max(0.0, s2 / count - mean * mean)
            sd = math.sqrt(var)
            d = abs(x - shift - mean)
            z = d / sd if sd > 1e-12 * (abs(mean + shift) + 1) else (math.inf if d > 0 else 0.0)
        out.append(z)
        if x is not None:
            s += x - shift
            s2 += (x - shift) ** 2
            count += 1
        if i >= w and vals[i - w] is not None:
            old = vals[i - w] - shift
            s -= old
            s2 -= old * old
            count -= 1
    return out


class GaussDetector:
    def __init__(self, window_days=GAUSS_WINDOW_DAYS, k=GAUSS_K):
        self.window_days, self.k = window_days, k
        self.name = f"gauss(W={window_days:g}d,k={k:g})"

    def flags(self, series):
        return [z is not None and z > self.k for z in gauss_z(series, self.window_days)], None


# ---------------------------------------------------------------- scoring
def scaled_sigmoid(y):
    return -1.0 if y > 3 else 2 / (1 + math.exp(5 * y)) - 1


def nab_windows(series):
    """Merged [first row, end row) windows in row indices."""
    n = len(series.times)
    if not series.labels:
        return []
    step = series.interval * 60
    size = max(1, int(NAB_WINDOW_FRACTION * n / len(series.labels)))
    wins = []
    for start, end, _ in series.labels:
        first = next(i for i, t in enumerate(series.times) if t >= start)
        last_t = end + TOL_AFTER * step
        cover = next((i for i, t in enumerate(series.times) if t >= last_t), n)
        a = max(0, first - size // 2)
        b = min(n, max(a + size, cover))
        wins.append([a, b])
    wins.sort()
    merged = [wins[0]]
    for a, b in wins[1:]:
        if a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return merged


def nab_score(series, flags):
    """(raw, null, perfect) for one file."""
    wins = nab_windows(series)
    n = len(series.times)
    probation = min(int(0.15 * n), 750)
    raw = 0.0
    detected = [False] * len(wins)
    w = 0
    for i in range(n):
        while w < len(wins) and wins[w][1] <= i:
            w += 1
        if not flags[i] or i < probation:
            continue
        if w < len(wins) and wins[w][0] <= i:
            if not detected[w]:
                a, b = wins[w]
                raw += NAB_TP * scaled_sigmoid(-(b - i) / (b - a))
                detected[w] = True
        elif w > 0:
            a, b = wins[w - 1]
            raw += NAB_FP * scaled_sigmoid((i - (b - 1)) / max(1, b - a - 1))
        else:
            raw -= NAB_FP
    raw -= NAB_FN * detected.count(False)
    return raw, -NAB_FN * len(wins), NAB_TP * scaled_sigmoid(-1.0) * len(wins)


def score_series(series, flags, error):
    """Counts for one (detector, series)."""
    r = {"series": 1, "labels": len(series.labels), "found": 0, "episodes": 0, "true_eps": 0,
         "weeks": series.weeks, "delays": [], "errors": 1 if error else 0,
         "error_text": error, "missed": [], "kinds": [], "interval": series.interval}
    if flags is None:
        flags = [False] * len(series.times)
    step = series.interval * 60
    ext = [(s - TOL_BEFORE * step, e + TOL_AFTER * step) for s, e, _ in series.labels]
    times = series.times
    for (s, _, kind), (a, b) in zip(series.labels, ext):
        hit = next((t for t, f in zip(times, flags) if f and a <= t < b), None)
        r["kinds"].append((kind, hit is not None))
        if hit is None:
            r["missed"].append(kind)
        else:
            r["found"] += 1
            r["delays"].append(math.floor((hit - s) / step))
    i, n = 0, len(flags)
    while i < n:
        if not flags[i]:
            i += 1
            continue
        j = i
        while j + 1 < n and flags[j + 1]:
            j += 1
        r["episodes"] += 1
        if any(times[i] < b and times[j] >= a for a, b in ext):
            r["true_eps"] += 1
        i = j + 1
    r["nab"] = nab_score(series, flags)
    return r


def aggregate(results):
    tot = {"series": 0, "labels": 0, "found": 0, "episodes": 0, "true_eps": 0, "weeks": 0.0,
           "errors": 0, "delays": [], "nab": [0.0, 0.0, 0.0]}
    for r in results:
        for k in ("series", "labels", "found", "episodes", "true_eps", "weeks", "errors"):
            tot[k] += r[k]
        tot["delays"] += r["delays"]
        for j in range(3):
            tot["nab"][j] += r["nab"][j]
    p = tot["true_eps"] / tot["episodes"] if tot["episodes"] else float("nan")
    rc = tot["found"] / tot["labels"] if tot["labels"] else float("nan")
    f1 = 2 * p * rc / (p + rc) if tot["episodes"] and tot["labels"] and p + rc > 0 else (
        0.0 if tot["labels"] else float("nan"))
    false_eps = tot["episodes"] - tot["true_eps"]
    raw, null, perfect = tot["nab"]
    return {"series": tot["series"], "labels": tot["labels"], "found": tot["found"],
            "episodes": tot["episodes"], "false_eps": false_eps, "errors": tot["errors"],
            "precision": p, "recall": rc, "f1": f1,
            "fe_per_series_week": false_eps / tot["weeks"] if tot["weeks"] else float("nan"),
            "series_weeks": tot["weeks"],
            "delay": statistics.median(tot["delays"]) if tot["delays"] else float("nan"),
            "nab": 100 * (raw - null) / (perfect - null) if perfect > null else float("nan"),
            "nab_raw": raw}


# ---------------------------------------------------------------- output
def fmt(x, spec):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-".rjust(int(spec.split(".")[0]))
    return format(x, spec)


NAME_W = 30  # widened in main() for long detector names


def header():
    return (f"{'detector':{NAME_W}s} {'errors':>6s} {'found':>7s} {'eps':>5s} {'false':>5s} "
          f"{'P':>5s} {'R':>5s} {'F1':>5s} {'FE/sw':>6s} {'FE/sd':>6s} {'delay':>5s} {'NAB':>6s}")


def row(name, a):
    return (f"{name:{NAME_W}s} {a['errors']:>6d} {a['found']:>3d}/{a['labels']:<3d} {a['episodes']:>5d} "
            f"{a['false_eps']:>5d} {fmt(a['precision'], '5.2f')} {fmt(a['recall'], '5.2f')} "
            f"{fmt(a['f1'], '5.2f')} {fmt(a['fe_per_series_week'], '6.2f')} "
            f"{fmt(a['fe_per_series_week'] / 7, '6.3f')} {fmt(a['delay'], '5.1f')} "
            f"{fmt(a['nab'], '6.1f')}")


def print_split(split, corpus, detectors, results):
    behaviours = []
    for s in corpus:
        if s.behaviour not in behaviours:
            behaviours.append(s.behaviour)
    groups = [("overall", corpus)] + [(b, [s for s in corpus if s.behaviour == b])
                                      for b in behaviours]
    rows = sum(len(s.times) for s in corpus)
    print(f"== {split}: {len(corpus)} series, {rows} rows, "
          f"{sum(s.weeks for s in corpus):.1f} series-weeks, "
          f"{sum(len(s.labels) for s in corpus)} labels ==")
    summary = {}
    for group, members in groups:
        names = {s.name for s in members}
        print(f"-- {group}: {len(members)} series, {sum(len(s.labels) for s in members)} labels, "
              f"{sum(s.weeks for s in members):.1f} series-weeks")
        print(header())
        for d in detectors:
            a = aggregate([r for (dn, sn), r in results.items() if dn == d.name and sn in names])
            summary.setdefault(group, {})[d.name] = a
            print(row(d.name, a))
        print()
    print_breakdowns(detectors, results)
    errs = [(dn, sn, r["error_text"]) for (dn, sn), r in sorted(results.items()) if r["errors"]]
    if errs:
        print(f"errors ({split}): {len(errs)} (detector, file) runs counted as no detections")
        for dn, sn, text in errs:
            print(f"  {dn} {sn}: {text}")
        print()
    return summary


def print_breakdowns(detectors, results):
    """Recall per anomaly kind, and false episodes per series-week per interval."""
    kinds = sorted({k for r in results.values() for k, _ in r["kinds"]})
    intervals = sorted({r["interval"] for r in results.values()})
    print("-- found / labels per anomaly kind")
    print(f"{'detector':{NAME_W}s} " + " ".join(f"{k[:13]:>13s}" for k in kinds))
    for d in detectors:
        mine = [r for (dn, _), r in results.items() if dn == d.name]
        cells = []
        for k in kinds:
            hits = [f for r in mine for kk, f in r["kinds"] if kk == k]
            cells.append(f"{sum(hits):>6d}/{len(hits):<6d}")
        print(f"{d.name:{NAME_W}s} " + " ".join(cells))
    print()
    print("-- false episodes per series-week by interval (minutes)")
    print(f"{'detector':{NAME_W}s} " + " ".join(f"{i:>7d}" for i in intervals))
    for d in detectors:
        cells = []
        for i in intervals:
            a = aggregate([r for (dn, _), r in results.items() if dn == d.name and r["interval"] == i])
            cells.append(fmt(a["fe_per_series_week"], "7.2f"))
        print(f"{d.name:{NAME_W}s} " + " ".join(cells))
    print()


def print_detail(split, corpus, name, results):
    print(f"-- detail {split} {name}: per series (found/labels, episodes, false, delays, missed)")
    for s in corpus:
        r = results.get((name, s.name))
        if r is None:
            continue
        print(f"  {s.name:34s} {r['found']}/{r['labels']} eps {r['episodes']:4d} false "
              f"{r['episodes'] - r['true_eps']:4d}  delays {r['delays']}  missed "
              f"{','.join(r['missed']) or '-'}{'  ERROR ' + r['error_text'] if r['errors'] else ''}")
    print()


# ---------------------------------------------------------------- main
def run_all(corpus, detectors, jobs):
    results = {}

    def one(d, s):
        flags, error = d.flags(s)
        return d.name, s.name, score_series(s, flags, error)
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(one, d, s) for d in detectors for s in corpus]
        for fut in futures:
            dn, sn, r = fut.result()
            results[(dn, sn)] = r
    return results


def tune_gauss(corpus):
    print("-- gauss grid (F1 / recall / FE/sw / NAB) on this split")
    for wd in (0.25, 1.0, 3.0):
        zs = {s.name: gauss_z(s, wd) for s in corpus}
        for k in (3, 4, 5, 6, 8):
            res = [score_series(s, [z is not None and z > k for z in zs[s.name]], None)
                   for s in corpus]
            a = aggregate(res)
            print(f"  W={wd:<5g}d k={k:<2d} F1 {a['f1']:.3f}  P {a['precision']:.3f}  "
                  f"R {a['recall']:.3f}  FE/sw {a['fe_per_series_week']:.2f}  NAB {a['nab']:.1f}")
    print()


def main():
    ap = argparse.ArgumentParser(description="Scores detectors on the field corpus.")
    ap.add_argument("--corpus", action="append", required=True, metavar="SPLIT=DIR")
    ap.add_argument("--binary", action="append", default=[], metavar="NAME=PATH")
    ap.add_argument("--methods", default="seasonal,iqr,dayago")
    ap.add_argument("--extra", action="append", default=[], metavar='"METHOD k=v ..."')
    ap.add_argument("--no-gauss", action="store_true")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--detail", action="append", default=[], metavar="DETECTOR")
    ap.add_argument("--json", metavar="FILE")
    ap.add_argument("--tune-gauss", action="store_true")
    args = ap.parse_args()

    binaries = [b.split("=", 1) for b in args.binary] or [
        ["vigil", os.environ.get("VIGIL") or "build/vigil"]]
    detectors = []
    for bname, path in binaries:
        if not os.access(path, os.X_OK):
            sys.exit(f"score.py: binary {bname}={path} is not executable; build it "
                     "(make -s build) or pass --binary NAME=PATH")
        for m in [m for m in args.methods.split(",") if m]:
            detectors.append(VigilDetector(f"{bname}:{m}", path, m, []))
        for extra in args.extra:
            method, *params = extra.split()
            detectors.append(VigilDetector(f"{bname}:{method}[{','.join(params)}]", path,
                                           method, params))
    if not args.no_gauss:
        detectors.append(GaussDetector())

    global NAME_W
    NAME_W = max([NAME_W] + [len(d.name) + 1 for d in detectors])
    started = time.time()
    out = {}
    for spec in args.corpus:
        split, _, directory = spec.partition("=")
        corpus = load_corpus(directory)
        if args.tune_gauss:
            tune_gauss(corpus)
        results = run_all(corpus, detectors, args.jobs)
        out[split] = print_split(split, corpus, detectors, results)
        for name in args.detail:
            print_detail(split, corpus, name, results)
    print(f"scored in {time.time() - started:.1f} s ({args.jobs} jobs)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
