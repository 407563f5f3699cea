import numpy as np

from gradbook import handbook
from gradbook.handbook.entries.l1_vs_l2 import sample


def test_l1_vs_l2_mean_median_and_verdicts():
    r = handbook.run("l1-vs-l2", quick=True)
    clean, dirty = sample()
    assert np.isclose(r.numbers["c_l2_dirty"], dirty.mean(), atol=1e-9)
    assert np.isclose(r.numbers["c_l2_clean"], clean.mean(), atol=1e-9)
    # with 23 values the L1 minimiser is the 12th smallest; fixed steps of 0.05/23·k leave it within 0.05
    assert abs(r.numbers["c_l1_dirty"] - np.sort(dirty)[11]) < 0.05
    # 20 clean values: any c between the 10th and 11th smallest is optimal
    s = np.sort(clean)
    assert (r.numbers["middle_low"], r.numbers["middle_high"]) == (s[9], s[10])
    assert s[9] - 0.05 <= r.numbers["c_l1_clean"] <= s[10] + 0.05
    # three outliers (50, 60, 80) move the mean by (sum of outliers − 3·clean mean)/23
    assert np.isclose(r.numbers["shift_l2"], (190 - 3 * clean.mean()) / 23, atol=1e-9)
    assert r.verdicts == {"mean-vs-median": "confirmed", "l1-robust": "confirmed",
                          "l1-nonunique-oscillates": "confirmed"}
