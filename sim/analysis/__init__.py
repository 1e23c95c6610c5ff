"""Analysis: reading a results folder back, statistics with intervals, summaries and tables.

Reads only what the experiment stage wrote to disk (the results contract, ARCHITECTURE.md
section 5), never its objects: probabilities with Wilson intervals, Kaplan–Meier curves, paired
comparisons under common random numbers, ``summary.csv`` and the terminal tables.
"""
