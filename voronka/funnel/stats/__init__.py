"""The funnel's maths, free of Django: plain numpy arrays in, plain dataclasses out.

`funnel` follows a cohort of deals through the stages, `bottlenecks` compares slices with the
company, `forecast` simulates the revenue of open deals, `winmodel` trains and explains the
win-probability model. Each is tested on its own against scipy/statsmodels/pandas or hand-worked
examples (voronka/funnel/tests/test_stats_*.py).
"""
