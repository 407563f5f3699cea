"""tune.run on a Dask cluster: a LocalCluster with two worker processes, started here, gives the
same table as the local process pool."""
import pytest

from gradbook import tune
from gradbook.tune.objectives import learning_curve, quadratic

distributed = pytest.importorskip("distributed")


def test_dask_cluster_results_equal_the_local_run(tmp_path):
    space = {"x": tune.uniform(0, 1), "lr": tune.loguniform(1e-3, 1e-1), "tag": tune.choice(["a", "b"])}
    local_random = tune.run(quadratic, space, "random", n_trials=6, seed=2)
    local_bayes = tune.run(quadratic, space, "bayes", n_trials=7, seed=2, n_initial=3, batch_size=2)
    bands = dict(n_trials=None, seed=2, min_budget=1, max_budget=9, eta=3)
    local_hyperband = tune.run(learning_curve, {"quality": tune.uniform(0, 1)}, "hyperband", **bands)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=40) as cluster, distributed.Client(cluster) as client:
        on_dask = tune.run(quadratic, space, "random", n_trials=6, seed=2, executor=client,
                           results_file=tmp_path / "dask.jsonl")
        bayes_on_dask = tune.run(quadratic, space, "bayes", n_trials=7, seed=2, n_initial=3, batch_size=2,
                                 executor=client)
        hyperband_on_dask = tune.run(learning_curve, {"quality": tune.uniform(0, 1)}, "hyperband",
                                     executor=client, **bands)
        # a lambda travels too: Dask pickles with cloudpickle
        assert len(tune.run(lambda c: c["x"], space, "random", n_trials=2, executor=client)) == 2
        with pytest.raises(RuntimeError, match="trial [01] .*ZeroDivisionError"):
            tune.run(lambda c: 1 / 0, space, "random", n_trials=2, executor=client)
    assert on_dask == local_random
    assert bayes_on_dask == local_bayes
    assert hyperband_on_dask == local_hyperband and len(local_hyperband) == 22
    assert len((tmp_path / "dask.jsonl").read_text().splitlines()) == 7
