"""Writing the plan: the workbook builder and its sheets (guide, dashboard, summary, synthesis), layout, styles,
conditional formats, the demo plan, and the generators of the docs and of ``workbook_templates/``.

May import: ``core``, ``read``, ``excel``.
"""
