"""tune.run on Ray: a local Ray runtime started here gives the same table as the local process
pool. Slow (Ray takes several seconds to start) and skipped where Ray is not installed
(``pip install gradbook[ray]``; Ray is not in the 'test' extra)."""
import pytest

from gradbook import tune
from gradbook.tune.objectives import quadratic

ray = pytest.importorskip("ray")


@pytest.mark.slow
def test_ray_results_equal_the_local_run():
    space = {"x": tune.uniform(0, 1), "lr": tune.loguniform(1e-3, 1e-1)}
    local = tune.run(quadratic, space, "bayes", n_trials=6, seed=4, n_initial=3)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        on_ray = tune.run(quadratic, space, "bayes", n_trials=6, seed=4, n_initial=3, executor="ray")
        with pytest.raises(RuntimeError, match="trial [01] .*ZeroDivisionError"):
            tune.run(lambda c: 1 / 0, space, "random", n_trials=2, executor="ray")
    finally:
        ray.shutdown()
    assert on_ray == local
