/**
 * The small modules an emitted PyTorch file may need beside torch.nn, printed only where the network uses them.
 * Each one is the torch twin of a tfjs layer netspec builds; the parity tests run both on the same weights.
 */
import { PaddingMode } from '../../spec/types';

export type HelperName = 'conv' | 'norm' | 'se' | 'eca' | 'drop_path' | 'option_a' | 'resize' | 'head';

/** One conv factory for every block conv, so the spec's padding rule is stated once. */
function convHelper(padding: PaddingMode): string {
  const symmetric = `nn.Conv2d(in_channels, out_channels, kernel_size, stride=stride, padding=dilation * (kernel_size - 1) // 2,
                     dilation=dilation, groups=groups, bias=bias)`;
  if (padding !== 'same') {
    return `def conv(in_channels, out_channels, kernel_size, stride=1, dilation=1, groups=1, bias=False):
    """A conv padded symmetrically, (kernel_size - 1) * dilation / 2 on each side, as torchvision's are."""
    return ${symmetric}`;
  }
  return `class Conv2dSame(nn.Conv2d):
    """TensorFlow's 'same' padding: the extra pixel of an uneven total goes bottom/right, which padding= cannot say."""

    def forward(self, x):
        pads = []
        for size, k, s, d in zip(x.shape[:1:-1], self.kernel_size[::-1], self.stride[::-1], self.dilation[::-1]):
            total = max((-(-size // s) - 1) * s + (k - 1) * d + 1 - size, 0)
            pads += [total // 2, total - total // 2]
        return super().forward(F.pad(x, pads))


def conv(in_channels, out_channels, kernel_size, stride=1, dilation=1, groups=1, bias=False):
    """A conv with the spec's padding: same (TensorFlow's); symmetric where that is the same thing."""
    if stride == 1 and kernel_size % 2 == 1:
        return ${symmetric}
    return Conv2dSame(in_channels, out_channels, kernel_size, stride=stride, dilation=dilation, groups=groups, bias=bias)`;
}

const TEXTS: Readonly<Record<Exclude<HelperName, 'conv'>, string>> = {
  norm: `def norm(channels):
    return nn.BatchNorm2d(channels, eps=BN_EPS, momentum=BN_MOMENTUM)`,
  se: `class SqueezeExcite(nn.Module):
    """Squeeze-and-excitation as timm's SEModule: pool, 1×1 conv down (bias), ReLU, 1×1 conv up (bias), sigmoid gate."""

    def __init__(self, channels, reduced):
        super().__init__()
        self.fc1 = nn.Conv2d(channels, reduced, 1, bias=True)
        self.act = nn.ReLU(inplace=True)
        self.fc2 = nn.Conv2d(reduced, channels, 1, bias=True)

    def forward(self, x):
        gate = self.fc2(self.act(self.fc1(x.mean((2, 3), keepdim=True))))
        return x * torch.sigmoid(gate)`,
  eca: `class EfficientChannelAttention(nn.Module):
    """ECA as timm's EcaModule: pool, a k-tap Conv1d across channels (no bias, zero-padded), sigmoid gate."""

    def __init__(self, kernel_size):
        super().__init__()
        self.conv = nn.Conv1d(1, 1, kernel_size, padding=(kernel_size - 1) // 2, bias=False)

    def forward(self, x):
        y = self.conv(x.mean((2, 3)).view(x.shape[0], 1, -1)).view(x.shape[0], -1, 1, 1)
        return x * torch.sigmoid(y)`,
  drop_path: `class DropPath(nn.Module):
    """Stochastic depth: while training, zero a sample's residual branch with probability rate (scaling the rest)."""

    def __init__(self, rate):
        super().__init__()
        self.rate = rate

    def forward(self, x):
        if not self.training or self.rate == 0:
            return x
        keep = x.new_empty((x.shape[0], 1, 1, 1)).bernoulli_(1 - self.rate)
        return x * keep / (1 - self.rate)`,
  option_a: `class OptionA(nn.Module):
    """Option-A shortcut (He et al. 2015): every stride-th pixel, zero channels added evenly on both sides."""

    def __init__(self, stride, in_channels, out_channels):
        super().__init__()
        self.stride = stride
        extra = out_channels - in_channels
        self.pad = (0, 0, 0, 0, extra // 2, extra - extra // 2)

    def forward(self, x):
        return F.pad(x[:, :, ::self.stride, ::self.stride], self.pad)`,
  resize: `class Upsample(nn.Module):
    """tfjs' UpSampling2D by integer factors. Nearest repeats pixels. Bilinear is TensorFlow 1's resize (source pixel =
    target / factor, clamped at the edge): align_corners=True on the input padded by one edge pixel, then cropped."""

    def __init__(self, factor, mode):
        super().__init__()
        self.factor = factor
        self.mode = mode

    def forward(self, x):
        fh, fw = self.factor
        if self.mode == "nearest":
            return x.repeat_interleave(fh, 2).repeat_interleave(fw, 3)
        h, w = x.shape[2], x.shape[3]
        y = F.interpolate(F.pad(x, (0, 1, 0, 1), mode="replicate"), size=(h * fh + 1, w * fw + 1), mode="bilinear", align_corners=True)
        return y[:, :, :h * fh, :w * fw]`,
  head: `class FlattenNHWC(nn.Module):
    """Keras' Flatten of an NHWC map: channels last before flattening, so the next Linear's weights are the tfjs model's."""

    def forward(self, x):
        return torch.flatten(x.permute(0, 2, 3, 1), 1)


class GlobalPool(nn.Module):
    """Global average or max pooling to [N, C]."""

    def __init__(self, mode):
        super().__init__()
        self.mode = mode

    def forward(self, x):
        return x.mean((2, 3)) if self.mode == "avg" else x.amax((2, 3))


class Dense(nn.Linear):
    """nn.Linear and its activation, as Keras' Dense(activation=...): one module, so its state dict is nn.Linear's."""

    def __init__(self, in_features, out_features, bias=True, activation="relu"):
        super().__init__(in_features, out_features, bias=bias)
        self.activation = activation

    def forward(self, x):
        x = super().forward(x)
        if self.activation == "relu":
            return torch.relu(x)
        return torch.softmax(x, 1) if self.activation == "softmax" else torch.sigmoid(x)`,
};

export function helperText(name: HelperName, padding: PaddingMode): string {
  return name === 'conv' ? convHelper(padding) : TEXTS[name];
}

/** torch's BN momentum weighs the new batch; tfjs/Keras' weighs the old average. */
export function torchMomentum(kerasMomentum: number): number {
  return Number((1 - kerasMomentum).toPrecision(12));
}

/** A Python literal. */
export function py(v: number | boolean | string | readonly number[]): string {
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `(${v.map((x) => py(x)).join(', ')}${v.length === 1 ? ',' : ''})`;
  return String(v);
}
