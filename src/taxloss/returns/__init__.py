"""The return's arithmetic: tax computation on rounded form figures, between the engine and the
renderers.

The engine's exact disposals become printed rows (each amount rounded once with the rule's
quantum and mode), totals per tax year, form section and line, the US Schedule D netting and
Capital Loss Carryover Worksheet with its projection, and each country's loss offset (chosen by
the rule file's ``offset.strategy``). Renderers and ``report.json`` only print these figures,
so no two outputs can disagree.

Imports only ``taxloss.model``, ``taxloss.money``, ``taxloss.errors`` and the standard library:
no engine, parsers, renderers, CLI, file system or third-party packages (a test checks).
"""
