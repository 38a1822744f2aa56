#!/usr/bin/env python3
"""Checks of score.py's definitions on hand-made series (python3 bench/field/test_score.py).
Expectations are worked out by hand from the definitions at the top of score.py."""
import math
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import score  # noqa: E402

STEP = 900  # 15-minute buckets


class FakeSeries:
    def __init__(self, n, labels, values=None):
        self.name, self.interval, self.behaviour = "fake", 15, "test"
        self.times = [1_000_000 * STEP + i * STEP for i in range(n)]
        self.values = values if values is not None else [10.0] * n
        # labels as row ranges [a, b)
        self.labels = [(self.times[a], self.times[0] + b * STEP, "spike") for a, b in labels]
        self.weeks = n * STEP / (7 * 86400)


def flags_at(n, rows):
    return [i in rows for i in range(n)]


class EpisodesAndLabels(unittest.TestCase):
    def test_tolerance_one_before_three_after(self):
        s = FakeSeries(2000, [(1000, 1002)])
        # rows 999 (1 early) and 1004 (3 after the end row 1001... end is 1002, +3 -> <1005)
        for row, found in ((998, False), (999, True), (1001, True), (1004, True), (1005, False)):
            r = score.score_series(s, flags_at(2000, {row}), None)
            self.assertEqual(r["found"], 1 if found else 0, row)
            self.assertEqual(r["true_eps"], 1 if found else 0, row)
            if found:
                self.assertEqual(r["delays"], [row - 1000])

    def test_episodes_are_runs(self):
        s = FakeSeries(2000, [(1000, 1002)])
        # one run through the label, one run of 3 elsewhere, one single row elsewhere
        f = flags_at(2000, {1000, 1001, 1002, 1500, 1501, 1502, 1700})
        r = score.score_series(s, f, None)
        self.assertEqual((r["episodes"], r["true_eps"], r["found"]), (3, 1, 1))
        a = score.aggregate([r])
        self.assertAlmostEqual(a["precision"], 1 / 3)
        self.assertAlmostEqual(a["recall"], 1.0)
        self.assertAlmostEqual(a["fe_per_series_week"], 2 / s.weeks)

    def test_error_counts_as_no_detections(self):
        s = FakeSeries(2000, [(1000, 1002)])
        r = score.score_series(s, None, "exit 2: off grid")
        self.assertEqual((r["found"], r["episodes"], r["errors"]), (0, 0, 1))


class Nab(unittest.TestCase):
    def test_null_is_0_and_first_row_of_window_is_100(self):
        s = FakeSeries(2000, [(1000, 1002), (1500, 1501)])
        wins = score.nab_windows(s)
        # 10% of 2000 rows over 2 labels = 100 rows, centred on the label's first row
        self.assertEqual(wins, [[950, 1050], [1450, 1550]])
        null = score.aggregate([score.score_series(s, [False] * 2000, None)])
        self.assertAlmostEqual(null["nab"], 0.0)
        perfect = score.aggregate([score.score_series(s, flags_at(2000, {950, 1450}), None)])
        self.assertAlmostEqual(perfect["nab"], 100.0)

    def test_detection_at_label_start_and_false_rows(self):
        s = FakeSeries(2000, [(1000, 1002)])
        # 10% of 2000 rows for 1 label: window [900, 1100); detection at 1000 -> y = -0.5
        tp = 2 / (1 + math.exp(-2.5)) - 1
        raw, null, perfect = score.nab_score(s, flags_at(2000, {1000}))
        self.assertAlmostEqual(raw, tp)
        # a false row before any window costs 0.11, one far after the window 0.11 too
        raw2, _, _ = score.nab_score(s, flags_at(2000, {1000, 400, 1900}))
        self.assertAlmostEqual(raw2, tp - 0.11 - 0.11)
        # one just after the window costs almost nothing
        raw3, _, _ = score.nab_score(s, flags_at(2000, {1000, 1100}))
        self.assertAlmostEqual(raw3, tp + 0.11 * (2 / (1 + math.exp(5 * 1 / 199)) - 1))
        self.assertGreater(raw3, tp - 0.01)
        # probation: the first 15% of rows (300 here) are ignored
        raw4, _, _ = score.nab_score(s, flags_at(2000, {1000, 100}))
        self.assertAlmostEqual(raw4, tp)
        self.assertAlmostEqual(null, -1.0)


class Gauss(unittest.TestCase):
    def test_flags_a_jump_after_a_day(self):
        n = 300
        vals = [10.0 + (i % 2) for i in range(n)]  # mean 10.5, sd 0.5
        vals[200] = 13.0  # z = 5
        s = FakeSeries(n, [], vals)
        z = score.gauss_z(s, 1.0)  # W = 96 rows
        self.assertIsNone(z[47])  # fewer than W/2 values before it
        self.assertAlmostEqual(z[200], 5.0)
        self.assertEqual([i for i, f in enumerate(score.GaussDetector(1.0, 4).flags(s)[0]) if f],
                         [200])


if __name__ == "__main__":
    unittest.main()
