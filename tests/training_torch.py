"""What PyTorch's autograd holds for one training step, measured (the oracle of
``tests/test_training_oracle.py``).

:func:`measure` runs a module in training mode over an input that needs no gradient, loss =
the sum of every output, and reports:

* the saved tensors: ``torch.autograd.graph.saved_tensors_hooks`` sees each tensor autograd
  packs for the backward pass; each distinct storage is counted once, at its full size
  (``untyped_storage().nbytes()``), parameter and buffer storages left out, and charged to
  whatever ``owner()`` names when it is first packed (the innermost module being run);
* the bytes of the parameters and buffers, and the gradients after ``loss.backward()``;
* FlopCounterMode's FLOPs of ``loss.backward()``, less its over-count of grouped
  convolutions' weight gradients (it counts each such gradient ``groups`` times: see
  ``test_flop_counter_counts_a_grouped_weight_gradient_groups_times``);
* the bytes of ``optimizer.state`` after one ``optimizer.step()``, for each of the seven
  optimizers, given the trainable parameters.

Storages are told apart by ``untyped_storage()._cdata`` (the address of the StorageImpl),
which works on the ``meta`` device too: there autograd runs and packs the same tensors
with no arithmetic done, so that whole networks at full size cost milliseconds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

__all__ = ["OPTIMIZERS", "Measured", "measure", "outputs_of"]

OPTIMIZERS: dict[str, Callable[[list[Any]], Any]] = {
    "sgd": lambda ps: torch.optim.SGD(ps, lr=0.1),
    "momentum": lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9),
    "nesterov": lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
    "rmsprop": lambda ps: torch.optim.RMSprop(ps),
    "adagrad": lambda ps: torch.optim.Adagrad(ps),
    "adam": lambda ps: torch.optim.Adam(ps),
    "adamw": lambda ps: torch.optim.AdamW(ps),
}


@dataclass
class Measured:
    saved: int = 0
    saved_by: Counter[str] = field(default_factory=Counter)  # owner → bytes first packed there
    calls: Counter[str] = field(default_factory=Counter)  # module name → forward calls
    grad: int = 0
    backward_flops: int = 0
    counted_flops: int = 0  # FlopCounterMode's own figure
    optimizer: dict[str, int] = field(default_factory=dict)
    params: int = 0  # bytes of every parameter, frozen ones too
    buffers: int = 0  # bytes of every buffer (running statistics, num_batches_tracked)


def outputs_of(value: Any) -> list[Any]:
    """Every tensor in a forward's result (a tensor, tuple, list, dict or named tuple)."""
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in outputs_of(v)]
    return []


def _grouped_macs(module: Any, x: Any, y: Any) -> int:
    """MACs of one call of a convolution (SPEC §3)."""
    k = 1
    for v in module.kernel_size:
        k *= v
    g = module.groups
    if module.transposed:
        return x.shape[0] * x.shape[1] * x[0, 0].numel() * (module.out_channels // g) * k
    return y.numel() * (module.in_channels // g) * k


def measure(
    model: Any,
    x: Any,
    *,
    owner: Callable[[], str] | None = None,
    optimizers: bool = True,
) -> Measured:
    """One training step of ``model`` on ``x`` (see the module's docstring). ``owner``
    names the place a tensor is packed in; by default the innermost module being run
    (its ``named_modules`` name)."""
    from torch.utils.flop_counter import FlopCounterMode

    m = Measured()
    model.train()
    m.params = sum(t.numel() * t.element_size() for t in model.parameters())
    m.buffers = sum(t.numel() * t.element_size() for t in model.buffers())
    stack: list[str] = []
    grouped: list[tuple[Any, int]] = []  # (conv, MACs of one call) of every grouped call
    hooks = []

    def enter(name: str) -> None:
        stack.append(name)
        m.calls[name] += 1

    def leave(module: Any, args: Any, out: Any) -> None:
        stack.pop()
        if isinstance(module, nn.modules.conv._ConvNd) and module.groups > 1:
            grouped.append((module, _grouped_macs(module, args[0], out)))

    for name, module in model.named_modules():
        hooks.append(module.register_forward_pre_hook(lambda mod, args, n=name: enter(n)))
        hooks.append(module.register_forward_hook(leave))
    skip = {t.untyped_storage()._cdata for t in [*model.parameters(), *model.buffers()]}
    held: dict[int, Any] = {}

    def pack(t: Any) -> Any:
        storage = t.untyped_storage()
        key = storage._cdata
        if key not in skip and key not in held:
            held[key] = t  # kept: no other storage can take its address while it is counted
            m.saved += storage.nbytes()
            m.saved_by[owner() if owner is not None else (stack[-1] if stack else "")] += storage.nbytes()
        return t

    try:
        with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
            out = model(x)
    finally:
        for hook in hooks:
            hook.remove()
    loss = sum(t.sum() for t in outputs_of(out))
    params = [p for p in model.parameters() if p.requires_grad]
    if torch.is_tensor(loss) and loss.requires_grad:  # else nothing that trains reaches an output
        with FlopCounterMode(display=False) as counter:
            loss.backward()
        m.counted_flops = counter.get_total_flops()
        over = sum((mod.groups - 1) * 2 * macs for mod, macs in grouped if mod.weight.grad is not None)
        m.backward_flops = m.counted_flops - over
    m.grad = sum(p.grad.numel() * p.grad.element_size() for p in params if p.grad is not None)
    if optimizers:
        for name, make in OPTIMIZERS.items():
            if not params:  # everything frozen: torch.optim refuses an empty list
                m.optimizer[name] = 0
                continue
            opt = make(params)
            opt.step()
            m.optimizer[name] = sum(
                v.numel() * v.element_size()
                for state in opt.state.values()
                for v in state.values()
                if torch.is_tensor(v)
            )
            del opt
    return m
