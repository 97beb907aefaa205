"""Optimizers, losses and the L2 kernels of netspec_train.py, with the semantics of netspec's tfjs engine."""
import torch
import torch.nn.functional as F


def l2_tensors(model, names):
    """The kernels netspec's L2 covers (Keras kernel_regularizer): config.json names them, chosen from the IR."""
    params = dict(model.named_parameters())
    return [params[n] for n in names]


class KerasRMSprop(torch.optim.Optimizer):
    """Keras 3's RMSprop, as netspec's tfjs engine runs it (src/train/optimizers/keras-rmsprop.ts).

    torch.optim.RMSprop differs: it adds eps after the root (sqrt(v) + eps; Keras: sqrt(v + eps)), keeps the
    learning rate outside its momentum buffer (Keras accumulates lr * g / sqrt(...)), and defaults alpha (Keras'
    rho) to 0.99 instead of 0.9. The slots are Keras' too: velocity, momentum when momentum > 0, the average
    gradient when centered.
    """

    def __init__(self, params, lr, rho, epsilon, momentum, centered):
        super().__init__(params, dict(lr=lr, rho=rho, epsilon=epsilon, momentum=momentum, centered=centered))

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            rho, eps, momentum, lr = group["rho"], group["epsilon"], group["momentum"], group["lr"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad
                state = self.state[p]
                if not state:
                    state["velocity"] = torch.zeros_like(p)
                    if momentum > 0:
                        state["momentum"] = torch.zeros_like(p)
                    if group["centered"]:
                        state["average_gradient"] = torch.zeros_like(p)
                v = state["velocity"]
                v.copy_(v * rho + g * g * (1 - rho))
                if group["centered"]:
                    a = state["average_gradient"]
                    a.copy_(a * rho + g * (1 - rho))
                    denominator = v - a * a + eps
                else:
                    denominator = v + eps
                increment = g * lr / denominator.sqrt()
                if momentum > 0:
                    m = state["momentum"]
                    m.copy_(m * momentum + increment)
                    p.sub_(m)
                else:
                    p.sub_(increment)


def make_optimizer(o, params, lr):
    """The spec's optimizer with the spec's values (never torch's defaults: Keras' rho 0.9, epsilon 1e-7)."""
    if o["type"] == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=o["momentum"], nesterov=o["nesterov"])
    if o["type"] == "rmsprop":
        return KerasRMSprop(params, lr, o["rho"], o["epsilon"], o["momentum"], o["centered"])
    betas = (o["beta1"], o["beta2"])
    if o["type"] == "adamw":
        # Decoupled decay p *= 1 - lr * wd of every parameter given, as Keras 3's AdamW (which excludes none).
        return torch.optim.AdamW(params, lr=lr, betas=betas, eps=o["epsilon"], weight_decay=o["weightDecay"])
    return torch.optim.Adam(params, lr=lr, betas=betas, eps=o["epsilon"])


def batch_loss(cfg, logits, y, reduction="mean", smoothing=0.0):
    """The spec's loss from logits (the head before its activation; prepare.ts refuses the pairings this cannot do)."""
    if cfg["loss"]["type"] != "binary_crossentropy":
        return F.cross_entropy(logits, y, label_smoothing=smoothing, reduction=reduction)
    # A one-unit head scores class 1; wider heads score each class against the one-hot label. Keras' smoothing: y(1 - e) + e/2.
    target = y.to(logits.dtype).unsqueeze(1) if logits.shape[1] == 1 else F.one_hot(y, logits.shape[1]).to(logits.dtype)
    target = target * (1 - smoothing) + smoothing / 2
    per_unit = F.binary_cross_entropy_with_logits(logits, target, reduction="none").mean(1)
    return per_unit.mean() if reduction == "mean" else per_unit.sum()


def predicted(logits):
    """Each row's class: the highest logit, or for a one-unit head, 1 when the logit is positive."""
    return (logits[:, 0] > 0).long() if logits.shape[1] == 1 else logits.argmax(1)
