"""The return's arithmetic: figures computed from a ``Report`` that renderers print.

Each module takes the engine's exact report and computes lines that appear on an output
(totals, offsets, the account statement), so two outputs can never disagree.
Imports only ``taxloss.model``, ``taxloss.money`` and ``taxloss.errors``.
"""
