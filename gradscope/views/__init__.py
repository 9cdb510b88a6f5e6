"""Views: state -> plain data -> text (Rich tables and trees, DOT, SVG/PNG, JSON).

Views read only ``gradscope.events`` and ``gradscope.state``: a saved trace and a live
run render the same. Each view first builds plain data, then renders it.
"""
