import math

import numpy as np
from scipy.special import gamma

from gradbook import handbook


def test_curse_of_dimensionality_numbers_and_verdicts():
    r = handbook.run("curse-of-dimensionality", quick=True)
    # closed forms written out independently: V_2 = π r², V_10 = π^5 / 5! · r^10, r = 1/2
    assert np.isclose(r.numbers["ball_volume_d2"], math.pi / 4, rtol=1e-12)
    assert np.isclose(r.numbers["ball_volume_d10"], math.pi ** 5 / 120 / 2 ** 10)
    assert np.isclose(r.numbers["ball_volume_d20"], math.pi ** 10 / gamma(11) / 2 ** 20)
    assert abs(r.numbers["mc_ball_fraction_d10"] - math.pi ** 5 / 120 / 2 ** 10) < 0.002
    assert np.isclose(r.numbers["edge_1pct_d10"], 10 ** (-2 / 10))
    assert r.numbers["contrast_d1000"] < r.numbers["contrast_d2"]
    assert r.verdicts == {"ball-volume-vanishes": "confirmed", "distances-concentrate": "confirmed",
                          "neighbourhoods-not-local": "confirmed"}
