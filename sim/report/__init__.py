"""Figures and the HTML report of a results folder (reads what the analysis stage computes).

:mod:`sim.report.plots`, :mod:`sim.report.network` and :mod:`sim.report.sweep_plots` draw;
:mod:`sim.report.figure_data` computes the tables they draw; :mod:`sim.report.drawing` decides
which figures apply and writes ``figures/``; :mod:`sim.report.html` writes ``report.html``.
"""
