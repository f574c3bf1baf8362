"""Course-correction maths: pace, forecasts, flags and calibration. No Django here.

Everything works on plain NumPy columns (`series.KeyResultSeries`) so one call
analyses a whole organisation; the selectors in `insights.selectors` fill them.
"""
