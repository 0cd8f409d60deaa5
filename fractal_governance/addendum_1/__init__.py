"""Fractally White Paper Addendum 1: the upstream project's API (compatibility facade).

Code written against the later API of the upstream project (matt-langston/fractal_governance
at 916618a, ``fractal_governance.addendum_1``) runs unchanged against these modules:
:mod:`.token_supply` (``TokenSupply``), :mod:`.constants` (``Addendum1Constants``),
:mod:`.weighted_means` (``WeightedMeanLevelAlgorithm``, ``WeightedMeanParameters``,
``WeightedMeans``) and :mod:`.dataset` (``Addendum1Dataset``). They are thin wrappers over
the core: :class:`fractal_governance.policies.genesis.Addendum1Respect`,
:class:`~fractal_governance.policies.TokenCurve` and
:func:`~fractal_governance.policies.weighted_means.weighted_mean_levels`.

Unlike the upstream, every per-meeting table counts members paid while absent.
"""
