"""The training loop: Adam, EMA weights, periodic checkpoints, exact resume.

The batch of step ``s`` is drawn from a generator seeded by ``(seed, s)`` and the learning rate is
a function of ``s``, so resuming from a checkpoint (model, EMA, optimizer, step) continues exactly
as an uninterrupted run would.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm import tqdm

from llie_video.config import to_dict
from llie_video.data.datasets import Source, collate
from llie_video.models import create_model
from llie_video.models.base import EnhancementModel
from llie_video.models.weights import load_partial_into, make_checkpoint
from llie_video.techniques.install import install_techniques
from llie_video.training.checkpoints import LAST_CHECKPOINT, load_run_checkpoint, save_atomic
from llie_video.training.config import TrainConfig
from llie_video.training.ema import WeightAverage
from llie_video.training.objectives import Objective

log = logging.getLogger(__name__)


def resolve_device(name: str) -> torch.device:
    """``"auto"``: CUDA when available, else the CPU; anything else as ``torch.device``."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def learning_rate(config: TrainConfig, step: int) -> float:
    """Cosine decay from ``lr`` at step 0 to ``lr * final_lr_fraction`` at the last step."""
    optim = config.optim
    progress = min(1.0, step / max(1, optim.steps))
    floor = optim.final_lr_fraction
    return optim.lr * (floor + (1.0 - floor) * 0.5 * (1.0 + math.cos(math.pi * progress)))


def draw_batch(
    source: Source, config: TrainConfig, step: int
) -> tuple[torch.Tensor, torch.Tensor | None, int | None]:
    """The batch and estimation long side of ``step``: ``(inputs, targets or None, long_side)``."""
    rng = np.random.default_rng([config.seed, step])
    sides = config.optim.estimation_long_sides
    long_side = sides[int(rng.integers(len(sides)))]
    inputs, targets = collate([source.sample(rng) for _ in range(config.data.batch_size)])
    return inputs, targets, long_side


class TensorBoardLog:
    """Scalars to TensorBoard when ``torch.utils.tensorboard`` imports, else nothing."""

    def __init__(self, folder: Path) -> None:
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError:
            log.info("TensorBoard is not installed; logging to %s only", folder / "log.jsonl")
            self.writer = None
            return
        self.writer = SummaryWriter(str(folder / "tensorboard"))

    def scalars(self, values: dict[str, float], step: int) -> None:
        if self.writer is not None:
            for name, value in values.items():
                self.writer.add_scalar(name, value, step)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


@dataclass
class TrainingState:
    """Everything a run changes: model, objective (auxiliary modules), optimizer, EMA, step."""

    model: EnhancementModel
    objective: Objective
    optimizer: torch.optim.Optimizer
    ema: WeightAverage
    step: int = 0

    def checkpoint(self, config: TrainConfig) -> dict[str, Any]:
        """A run checkpoint: the inference keys of ``make_checkpoint`` plus training state."""
        state = make_checkpoint(
            self.model, config.model.arch, self.ema.state_dict(), to_dict(config), self.step
        )
        state["optimizer"] = self.optimizer.state_dict()
        state["objective"] = {k: v.cpu() for k, v in self.objective.state_dict().items()}
        return state

    def restore(self, checkpoint: dict[str, Any]) -> None:
        self.model.load_state_dict(checkpoint["params"])
        self.objective.load_state_dict(checkpoint["objective"])
        self.optimizer.load_state_dict(checkpoint["optimizer"])
        self.ema.load_state_dict(checkpoint["params_ema"])
        self.step = int(checkpoint["step"])


def build_state(config: TrainConfig, device: torch.device) -> TrainingState:
    """Fresh model (seeded), objective, Adam and EMA on ``device``."""
    torch.manual_seed(config.seed)
    kwargs = dict(config.model.kwargs or {})
    weights = config.model.init_weights
    kwargs.update(config.techniques.model_kwargs())
    if config.model.init_partial and weights is not None:
        model = create_model(config.model.arch, **kwargs)
        fresh = load_partial_into(model, Path(weights))
        log.info("started from %s; initialised afresh: %s", weights, ", ".join(fresh) or "none")
    else:
        model = create_model(config.model.arch, weights=weights, **kwargs)
    objective = Objective(config.objective)
    install_techniques(model, objective, config.techniques)
    model, objective = model.to(device).train(), objective.to(device).train()
    parameters = list(model.parameters()) + list(objective.parameters())
    optimizer = torch.optim.Adam(
        parameters, lr=config.optim.lr, weight_decay=config.optim.weight_decay
    )
    return TrainingState(model, objective, optimizer, WeightAverage(model, config.optim.ema_decay))


def train_step(state: TrainingState, config: TrainConfig, batch: tuple, device: torch.device) -> dict[str, float]:
    """One optimisation step on ``batch = (inputs, targets, long_side)``; returns logged figures."""
    inputs, targets, long_side = batch
    inputs = inputs.to(device)
    targets = targets.to(device) if targets is not None else None
    lr = learning_rate(config, state.step)
    for group in state.optimizer.param_groups:
        group["lr"] = lr
    total, terms = state.objective(state.model, inputs, targets, long_side)
    if not torch.isfinite(total):
        raise FloatingPointError(f"loss is {total.item()} at step {state.step}")
    state.optimizer.zero_grad(set_to_none=True)
    total.backward()
    if config.optim.grad_clip > 0:
        torch.nn.utils.clip_grad_norm_(
            [p for g in state.optimizer.param_groups for p in g["params"]], config.optim.grad_clip
        )
    state.optimizer.step()
    state.ema.update(state.model)
    state.step += 1
    return {"loss": float(total.detach()), "lr": lr, **{k: float(v) for k, v in terms.items()}}


def run_training(
    config: TrainConfig, source: Source, progress: bool = True, until_step: int | None = None
) -> Path:
    """Train to ``config.optim.steps`` steps (resuming from ``run_dir/last.pt`` when present).

    ``until_step``: stop early, with a checkpoint, once this step is reached (a later call
    resumes; the schedule still spans ``config.optim.steps``).
    Returns the path of the run checkpoint (``run_dir/last.pt``).
    """
    stop = config.optim.steps if until_step is None else min(until_step, config.optim.steps)
    if config.threads > 0:
        torch.set_num_threads(config.threads)
    device = resolve_device(config.device)
    run_dir = Path(config.run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    last = run_dir / LAST_CHECKPOINT
    state = build_state(config, device)
    if last.is_file():
        state.restore(load_run_checkpoint(last))
        log.info("resuming %s from step %d", run_dir, state.step)
    board = TensorBoardLog(run_dir)
    bar = tqdm(total=config.optim.steps, initial=state.step, disable=not progress, desc=config.name)
    with open(run_dir / "log.jsonl", "a") as log_file:
        while state.step < stop:
            figures = train_step(state, config, draw_batch(source, config, state.step), device)
            bar.update(1)
            if state.step % config.log_every == 0 or state.step == config.optim.steps:
                bar.set_postfix(loss=f"{figures['loss']:.4f}")
                log_file.write(json.dumps({"step": state.step, **figures}) + "\n")
                log_file.flush()
                board.scalars(figures, state.step)
            if state.step % config.checkpoint_every == 0 or state.step == stop:
                save_atomic(state.checkpoint(config), last)
    bar.close()
    board.close()
    return last
