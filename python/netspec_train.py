"""netspec's training loop for torchrun: the spec's train: section on DistributedDataParallel.

netspec train --engine torch writes the run directory (torch/config.json, torch/model.py emitted from the spec,
torch/data.safetensors, torch/initial.safetensors with netspec's seeded initial weights) and launches

    python3 -m torch.distributed.run --nproc-per-node N netspec_train.py RUN_DIR [--resume]

Each process trains on its DistributedSampler shard of every global batch (batch_size / world size images), DDP
averages the gradients, so N processes take the same steps as one process with the global batch. gloo on CPU,
NCCL with CUDA; BatchNorm becomes SyncBatchNorm under NCCL (torch supports it only on CUDA): on gloo each process
normalises with its own shard's statistics, as DDP does by default. Rank 0 alone writes checkpoints (atomically),
the final state dict and the epoch lines netspec reads ("NETSPEC {json}" on stdout). Runs on torch 1.13 and 2.x.
"""
import importlib.util
import json
import math
import os
import sys
import time

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import load_file, save_file  # noqa: E402
from netspec_optim import batch_loss, l2_tensors, make_optimizer, predicted  # noqa: E402


def emit(event, **fields):
    print("NETSPEC " + json.dumps({"event": event, **fields}), flush=True)


# ---- learning rate: schedule × warm-up × reduce-on-plateau, as src/train/schedules.ts ----

def schedule_lr(cfg, t):
    s, lr = cfg["schedule"], cfg["lr"]
    if s["type"] == "multistep":
        factor = 1.0
        for m, f in zip(s["milestones"], s["factors"]):
            if t >= m:
                factor = f
        return lr * factor
    if s["type"] == "cosine":
        p = min(max(t / cfg["epochs"], 0.0), 1.0)
        return s["minLr"] + (lr - s["minLr"]) * (1 + math.cos(math.pi * p)) / 2
    return lr


def warmup_factor(w, t):
    if w["epochs"] <= 0 or t >= w["epochs"]:
        return 1.0
    return w["startFactor"] + (1 - w["startFactor"]) * max(t, 0) / w["epochs"]


class Plateau:
    """Keras' ReduceLROnPlateau as a multiplier on the schedule (src/train/schedules.ts ReduceOnPlateau)."""

    def __init__(self, cfg, state=None):
        self.cfg = cfg
        self.s = state or {"best": None, "wait": 0, "cooldownCounter": 0, "scale": 1.0}

    def apply(self, lr):
        return lr if self.s["scale"] == 1 else max(lr * self.s["scale"], min(lr, self.cfg["minLr"]))

    def update(self, current, lr):
        c, s = self.cfg, self.s
        if not c["enabled"] or not math.isfinite(current):
            return
        if s["cooldownCounter"] > 0:
            s["cooldownCounter"] -= 1
            s["wait"] = 0
        better = s["best"] is None or (current < s["best"] - c["minDelta"] if c["monitor"].endswith("loss")
                                       else current > s["best"] + c["minDelta"])
        if better:
            s["best"], s["wait"] = current, 0
            return
        if s["cooldownCounter"] > 0:
            return
        s["wait"] += 1
        if s["wait"] >= c["patience"] and lr > c["minLr"]:
            s["scale"] *= c["factor"]
            s["cooldownCounter"], s["wait"] = c["cooldown"], 0


def lr_at(cfg, plateau, epoch, step, steps):
    t = epoch + step / steps if cfg["schedule"]["interval"] == "step" and steps > 0 else epoch
    return plateau.apply(schedule_lr(cfg, t) * warmup_factor(cfg["warmup"], t))


# ---- data: uint8 NHWC from netspec, normalised and augmented per image ----

def normalise(x, stats):
    """x: N×C×H×W in [0, 1]."""
    if stats["kind"] == "mean_image":
        h, w, c = stats["shape"]
        return x - torch.tensor(stats["mean"], dtype=x.dtype).reshape(h, w, c).permute(2, 0, 1)
    if stats["kind"] in ("per_channel", "preset"):
        if stats.get("bgr"):
            x = x.flip(1)  # Keras' caffe mode: RGB -> BGR before the means
        mean = torch.tensor(stats["mean"], dtype=x.dtype).reshape(1, -1, 1, 1)
        std = torch.tensor([s if s > 0 else 1.0 for s in stats["std"]], dtype=x.dtype).reshape(1, -1, 1, 1)
        return (x - mean) / std
    return x


def translate(img, dy, dx, fill):
    """out[y][x] = in[y − dy][x − dx]; outside pixels take the nearest edge ('nearest') or 0."""
    _, h, w = img.shape
    ys = torch.arange(h) - dy
    xs = torch.arange(w) - dx
    out = img[:, ys.clamp(0, h - 1)][:, :, xs.clamp(0, w - 1)]
    if fill == "constant":
        mask = ((ys >= 0) & (ys < h)).reshape(-1, 1) & ((xs >= 0) & (xs < w)).reshape(1, -1)
        out = out * mask
    return out


def augment(img, a, g, stats):
    """One CHW image, already normalised: shift, pad-and-crop, flip, random erasing, in netspec's order."""
    _, h, w = img.shape
    if a["shift"] > 0:
        my, mx = round(a["shift"] * h), round(a["shift"] * w)
        dy = int(torch.randint(2 * my + 1, (1,), generator=g)) - my
        dx = int(torch.randint(2 * mx + 1, (1,), generator=g)) - mx
        img = translate(img, dy, dx, a["shiftFill"])
    if a["padCrop"] > 0:
        p = a["padCrop"]
        oy, ox = (int(v) for v in torch.randint(2 * p + 1, (2,), generator=g))
        img = translate(img, p - oy, p - ox, "constant")
    if a["flip"] and float(torch.rand(1, generator=g)) < 0.5:
        img = img.flip(2)
    e = a["erasing"]
    if e["probability"] > 0 and float(torch.rand(1, generator=g)) < e["probability"]:
        for _ in range(10):
            area = h * w * (e["area"][0] + (e["area"][1] - e["area"][0]) * float(torch.rand(1, generator=g)))
            ratio = math.exp(math.log(e["aspect"][0]) + (math.log(e["aspect"][1]) - math.log(e["aspect"][0])) * float(torch.rand(1, generator=g)))
            eh, ew = int(round(math.sqrt(area * ratio))), int(round(math.sqrt(area / ratio)))
            if 0 < eh < h and 0 < ew < w:
                y0 = int(torch.randint(h - eh + 1, (1,), generator=g))
                x0 = int(torch.randint(w - ew + 1, (1,), generator=g))
                v = e["value"]
                if v == "uniform":
                    # One pixel value per rectangle (get_random_eraser, pixel_level=False), then normalised.
                    lo, hi = e["range"]
                    pixel = (lo + (hi - lo) * float(torch.rand(1, generator=g))) / 255
                    fill = normalise(torch.full((1, img.shape[0], h, w), pixel), stats)[0, :, y0:y0 + eh, x0:x0 + ew]
                else:
                    fill = torch.randn((img.shape[0], eh, ew), generator=g) if v == "random" else \
                        torch.tensor(v if isinstance(v, list) else [v] * img.shape[0], dtype=img.dtype).reshape(-1, 1, 1)
                img = img.clone()
                img[:, y0:y0 + eh, x0:x0 + ew] = fill
                break
    return img


class Images(torch.utils.data.Dataset):
    def __init__(self, images, labels, stats, aug=None, seed=0):
        self.images, self.labels, self.stats, self.aug, self.seed, self.epoch = images, labels, stats, aug, seed, 0

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        x = normalise(self.images[i:i + 1].permute(0, 3, 1, 2).float() / 255, self.stats)[0]
        if self.aug is not None:
            # Each image's randomness depends on (seed, epoch, index) only: the same whatever the world size.
            g = torch.Generator().manual_seed((self.seed * 1_000_003 + self.epoch) * 10_000_019 + i)
            x = augment(x, self.aug, g, self.stats)
        return x, self.labels[i]


# ---- the run ----

def load_model(run):
    spec = importlib.util.spec_from_file_location("netspec_model", os.path.join(run, "torch", "model.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.create_model()


def atomic_save(obj, path):
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "wb") as f:
        torch.save(obj, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


# ---- which checkpoints to keep besides torch-last.ckpt: train.checkpoint, as src/train/best.ts ----

def best_rule(ck, has_validation):
    """Keras ModelCheckpoint: auto is max for accuracies, min for losses; without a test split, the training metric."""
    monitor = ck["monitor"] if has_validation or not ck["monitor"].startswith("val_") else ck["monitor"][4:]
    mode = ck["mode"] if ck["mode"] != "auto" else ("max" if "acc" in monitor else "min")
    return monitor, mode


def improves(mode, value, best):
    """Strictly better than the best so far (a tie keeps the earlier epoch; NaN never is), as np.less/np.greater."""
    if value is None or math.isnan(value):
        return False
    if best is None:
        return True
    return value > best["value"] if mode == "max" else value < best["value"]


def keep_weights(run, name, model, record):
    """The weights of a checkpoint netspec keeps (best.ckpt, a snapshot), as torch/kept/NAME.safetensors, listed with
    its epoch in torch/kept.json; netspec turns each into checkpoints/NAME when the run ends."""
    d = os.path.join(run, "torch", "kept")
    os.makedirs(d, exist_ok=True)
    tmp = os.path.join(d, f".{name}.{os.getpid()}.tmp")
    save_file(plain_state(model), tmp)
    os.replace(tmp, os.path.join(d, f"{name}.safetensors"))
    index = os.path.join(run, "torch", "kept.json")
    kept = json.load(open(index)) if os.path.exists(index) else {}
    kept[name] = record
    tmp = f"{index}.{os.getpid()}.tmp"
    with open(tmp, "w") as f:
        json.dump(kept, f)
    os.replace(tmp, index)


def snapshot_name(ck, epoch, metrics):
    """The snapshot due after `epoch` (1-based), if any. Keras formats ModelCheckpoint's filepath the same way:
    filepath.format(epoch=epoch + 1, **logs), with its 0-based epoch; `metrics` already holds the 1-based one."""
    return ck["pattern"].format(**{**metrics, "epoch": epoch}) if ck["every"] > 0 and epoch % ck["every"] == 0 else None


def repair_kept(run, ck, model, epoch, best, metrics):
    """A kill between torch-last.ckpt and the kept weights of its epoch: the model resumed holds them."""
    index = os.path.join(run, "torch", "kept.json")
    kept = json.load(open(index)) if os.path.exists(index) else {}
    if best is not None and best["epoch"] == epoch and kept.get("best.ckpt", {}).get("epoch") != epoch:
        keep_weights(run, "best.ckpt", model, {"epoch": epoch, "best": best})
    name = snapshot_name(ck, epoch, metrics) if metrics is not None else None
    if name is not None and kept.get(name, {}).get("epoch") != epoch:
        keep_weights(run, name, model, {"epoch": epoch, "best": best})


def main(argv):
    run = argv[1]
    resume = "--resume" in argv
    cfg = json.load(open(os.path.join(run, "torch", "config.json")))
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    cuda = torch.cuda.is_available()
    if world > 1:
        dist.init_process_group("nccl" if cuda else "gloo")
    device = torch.device(f"cuda:{int(os.environ.get('LOCAL_RANK', '0'))}" if cuda else "cpu")
    if cuda:
        torch.cuda.set_device(device)
    if cfg["batchSize"] % world != 0:
        raise SystemExit(f"batch size {cfg['batchSize']} is not divisible by the {world} processes")
    local_batch = cfg["batchSize"] // world
    torch.manual_seed(cfg["seed"])

    model = load_model(run)
    model.load_state_dict(load_file(os.path.join(run, "torch", "initial.safetensors")), strict=True)
    if world > 1 and cuda:
        model = nn.SyncBatchNorm.convert_sync_batchnorm(model)
    model.to(device)
    net = nn.parallel.DistributedDataParallel(model, device_ids=[device.index] if cuda else None) if world > 1 else model

    frozen = set(cfg.get("frozen", []))
    for name, p in model.named_parameters():
        if name in frozen:
            p.requires_grad = False
    frozen_bn = [m for name, m in model.named_modules() if isinstance(m, nn.modules.batchnorm._BatchNorm) and f"{name}.weight" in frozen]

    params = [p for p in model.parameters() if p.requires_grad]
    opt = make_optimizer(cfg["optimizer"], params, cfg["lr"])

    data = load_file(os.path.join(run, "torch", "data.safetensors"))
    train = Images(data["train_x"], data["train_y"].long(), cfg["normalization"], cfg["augment"], cfg["seed"])
    test = Images(data["test_x"], data["test_y"].long(), cfg["normalization"]) if "test_x" in data else None
    sampler = torch.utils.data.distributed.DistributedSampler(train, num_replicas=world, rank=rank, shuffle=True, seed=cfg["seed"], drop_last=False)
    loader = torch.utils.data.DataLoader(train, batch_size=local_batch, sampler=sampler)
    steps = len(loader)

    plateau = Plateau(cfg["reduceOnPlateau"])
    ck = cfg["checkpoint"]
    monitor, mode = best_rule(ck, test is not None)
    best = None
    start = 0
    ckpt_dir = os.path.join(run, "checkpoints")
    last = os.path.join(ckpt_dir, "torch-last.ckpt")
    if resume:
        state = torch.load(last, map_location=device)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        plateau = Plateau(cfg["reduceOnPlateau"], state["plateau"])
        start = state["epoch"]
        best = state.get("best")
        torch.set_rng_state(state["rng"])
        if rank == 0:
            repair_kept(run, ck, model, start, best, state.get("metrics"))
        emit("resumed", epoch=start)
    l2 = cfg["weightDecay"]
    decayed = l2_tensors(model, cfg["l2"])

    for epoch in range(start, cfg["epochs"]):
        sampler.set_epoch(epoch)
        train.epoch = epoch
        net.train()
        for m in frozen_bn:
            m.eval()
        if cfg.get("bnEval"):
            # BN on running statistics: the mode in which N processes and one are the same computation (tested).
            for m in model.modules():
                if isinstance(m, nn.BatchNorm2d):
                    m.eval()
        began = time.time()
        totals = torch.zeros(3, dtype=torch.float64, device=device)  # loss sum, correct, count
        for step, (x, y) in enumerate(loader):
            lr = lr_at(cfg, plateau, epoch, step, steps)
            for group in opt.param_groups:
                group["lr"] = lr
            x, y = x.to(device), y.to(device)
            logits = forward_logits(net, model, x, world)
            loss = batch_loss(cfg, logits, y, smoothing=cfg["labelSmoothing"])
            total = loss + (l2 * sum((w * w).sum() for w in decayed) if l2 > 0 and decayed else 0)
            opt.zero_grad(set_to_none=True)
            total.backward()
            opt.step()
            if not math.isfinite(float(loss)):
                emit("diverged", epoch=epoch + 1, step=step)
                raise SystemExit(3)
            totals += torch.tensor([float(loss) * len(y), float((predicted(logits) == y).sum()), len(y)], dtype=torch.float64, device=device)
            if rank == 0 and cfg.get("stepEvents"):
                emit("step", epoch=epoch, step=step + 1, steps=steps)
        if world > 1:
            dist.all_reduce(totals)
            # DDP copies rank 0's buffers into the others before each training forward, not after the last one:
            # without this, rank 1 would evaluate with its own shard's BN statistics and rank 0 save others.
            for b in model.buffers():
                dist.broadcast(b, 0)
        seconds = time.time() - began
        metrics = {"epoch": epoch + 1, "lr": lr_at(cfg, plateau, epoch, max(steps - 1, 0), steps),
                   "loss": float(totals[0] / totals[2]), "accuracy": float(totals[1] / totals[2])}
        if test is not None:
            metrics.update(evaluate(cfg, model, test, local_batch, world, rank, device))
        metrics["images_per_second"] = float(totals[2]) / seconds
        metrics["seconds"] = seconds
        monitored = metrics.get(cfg["reduceOnPlateau"]["monitor"])
        if monitored is not None:
            plateau.update(monitored, metrics["lr"])
        improved = improves(mode, metrics.get(monitor), best)
        if improved:
            best = {"monitor": monitor, "mode": mode, "value": metrics[monitor], "epoch": epoch + 1}
        snapshot = snapshot_name(ck, epoch + 1, metrics)
        if rank == 0:
            os.makedirs(ckpt_dir, exist_ok=True)
            atomic_save({"model": model.state_dict(), "optimizer": opt.state_dict(), "plateau": plateau.s,
                         "epoch": epoch + 1, "rng": torch.get_rng_state(), "best": best, "metrics": metrics}, last)
            if improved:
                keep_weights(run, "best.ckpt", model, {"epoch": epoch + 1, "best": best})
            if snapshot is not None:
                keep_weights(run, snapshot, model, {"epoch": epoch + 1, "best": best})
            tmp = os.path.join(run, "torch", f".last.{os.getpid()}.tmp")
            save_file(plain_state(model), tmp)
            os.replace(tmp, os.path.join(run, "torch", "last.safetensors"))
            emit("epoch", **metrics)
        if world > 1:
            dist.barrier()
    if world > 1:
        # torch 1.13 can deadlock tearing gloo down: the process group's destructor, run with the GIL held, joins a
        # worker thread that waits for the GIL to free a tensor. Every file is written and closed by now, so the
        # process leaves without the teardown (the other ranks have passed the barrier above).
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


def forward_logits(net, model, x, world):
    if world > 1:
        # DDP wraps forward(); swap in logits() for the call so gradient hooks stay those of the wrapper.
        original = model.forward
        model.forward = model.logits
        try:
            return net(x)
        finally:
            model.forward = original
    return model.logits(x)


def plain_state(model):
    return {k: v.detach().cpu() for k, v in model.state_dict().items()}


def evaluate(cfg, model, data, batch, world, rank, device):
    model.eval()
    sampler = torch.utils.data.distributed.DistributedSampler(data, num_replicas=world, rank=rank, shuffle=False, drop_last=False)
    loader = torch.utils.data.DataLoader(data, batch_size=batch, sampler=sampler)
    totals = torch.zeros(3, dtype=torch.float64, device=device)
    with torch.no_grad():
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            logits = model.logits(x)
            totals += torch.tensor([float(batch_loss(cfg, logits, y, reduction="sum")), float((predicted(logits) == y).sum()), len(y)], dtype=torch.float64, device=device)
    if world > 1:
        dist.all_reduce(totals)
    # DistributedSampler pads the last shard by repeating images: a few may count twice when sizes do not divide.
    return {"val_loss": float(totals[0] / totals[2]), "val_accuracy": float(totals[1] / totals[2])}


if __name__ == "__main__":
    main(sys.argv)
