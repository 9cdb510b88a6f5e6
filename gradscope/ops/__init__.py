"""The ops: one ``Function`` per torch grad_fn name, grouped by family.

Each computes on raw NumPy/CuPy arrays; ``gradscope.autograd.function.apply`` wraps them.
"""
