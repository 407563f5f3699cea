"""Weight sharing's 1-d k-means (Lloyd) equals scikit-learn's KMeans started from the same centroids."""
import numpy as np
from hypothesis import assume, given, strategies as st
from sklearn.cluster import KMeans

from gradbook.compress import quantize


@given(seed=st.integers(0, 10**6), k=st.sampled_from([2, 4, 8]), init=st.sampled_from(quantize.INITS))
def test_kmeans_equals_sklearn_from_the_same_start(seed, k, init):
    v = np.random.default_rng(seed).standard_normal(200)
    start = quantize.init_centroids(v, k, init, seed)
    centroids, labels = quantize.kmeans(v, k, start.copy())
    assume(np.all(np.bincount(labels, minlength=k) > 0))  # sklearn moves an emptied centroid; ours stays
    ref = KMeans(n_clusters=k, init=start.reshape(-1, 1), n_init=1, tol=0, max_iter=300,
                 algorithm="lloyd").fit(v.reshape(-1, 1))
    np.testing.assert_allclose(centroids, ref.cluster_centers_.ravel(), rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(labels, ref.labels_)
