/**
 * PyTorch as the optional peer of the training benchmark: the same ResNet-20 (He et al. §4.2, option-A
 * shortcuts), the same batch, the same thread count, the same kind of step (SGD with momentum and L2 decay,
 * cross-entropy), timed the same way (best of several rounds), run by Debian's `/usr/bin/python3` when it has
 * torch (`apt-get install python3-torch`). Absent torch, the benchmark simply has no peer.
 */
import { spawnSync } from 'child_process';
import { environmentWithoutOurSettings } from '../src/runtime/onednn/addon';

export const PYTHON = '/usr/bin/python3';

/** The newest PyTorch 2.x CPU build, in the venv scripts/ci/torch2.sh makes. */
export const TORCH2_PYTHON = process.env.NETSPEC_TORCH2_PYTHON ?? '/opt/netspec-venv-torch2/bin/python';

/** The interpreters whose torch is a peer here, newest first (the ratios are against the first). */
export function peerPythons(): string[] {
  return [TORCH2_PYTHON, PYTHON].filter((python) => peerAvailable(python));
}

/**
 * The environment a peer runs in: ours without what netspec set for its own OpenMP (GOMP_SPINCOUNT), with
 * the thread count pinned.
 */
export function peerEnvironment(threads: number): NodeJS.ProcessEnv {
  return { ...environmentWithoutOurSettings(), OMP_NUM_THREADS: String(threads) };
}

/**
 * The peer, as one script: argv = threads, batch, seconds per round, rounds. Prints one JSON line. channels_last
 * is PyTorch's fast CPU layout and ours (NHWC); torch.set_num_threads makes its oneDNN and ATen pools match ours.
 */
const SCRIPT = String.raw`
import json, sys, time
import torch, torch.nn as nn, torch.nn.functional as F
threads, batch, seconds, rounds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
torch.set_num_threads(threads)
torch.manual_seed(0)

class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout)
        self.conv2, self.bn2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout)
        self.stride, self.extra = stride, cout - cin
    def forward(self, x):
        y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        if self.stride > 1 or self.extra:  # option A: subsample, zero channels half in front, half behind
            x = F.pad(x[:, :, ::self.stride, ::self.stride], (0, 0, 0, 0, self.extra // 2, self.extra - self.extra // 2))
        return F.relu(y + x)

class ResNet20(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16)
        blocks, cin = [], 16
        for cout, stride in ((16, 1), (32, 2), (64, 2)):
            for i in range(3):
                blocks.append(Block(cin, cout, stride if i == 0 else 1))
                cin = cout
        self.blocks, self.fc = nn.Sequential(*blocks), nn.Linear(64, 10)
    def forward(self, x):
        x = self.blocks(F.relu(self.bn1(self.conv1(x))))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))

model = ResNet20().to(memory_format=torch.channels_last)
x = torch.randn(batch, 3, 32, 32).to(memory_format=torch.channels_last)
labels = torch.randint(0, 10, (batch,))
# L2 on conv and linear kernels only, as netspec's trainer does
kernels = [p for p in model.parameters() if p.dim() > 1]
others = [p for p in model.parameters() if p.dim() <= 1]
optimizer = torch.optim.SGD([{"params": kernels, "weight_decay": 1e-4}, {"params": others}], lr=0.01, momentum=0.9)

def train_step():
    optimizer.zero_grad(set_to_none=True)
    loss = F.cross_entropy(model(x), labels)
    loss.backward()
    optimizer.step()
    loss.item()

def images_per_second(step):
    step(); step()
    best = 0.0
    for _ in range(rounds):
        n, start = 0, time.perf_counter()
        while n < 2 or time.perf_counter() - start < seconds:
            step(); n += 1
        best = max(best, n * batch / (time.perf_counter() - start))
    return best

model.train()
train = images_per_second(train_step)
model.eval()
with torch.no_grad():
    inference = images_per_second(lambda: model(x))
print(json.dumps({"version": torch.__version__, "train": train, "inference": inference}))
`;

export interface PeerResult {
  /** e.g. 'pytorch 1.13.0a0'. */
  name: string;
  train: number;
  inference: number;
}

/** Whether the peer can run here: a Python that imports torch. */
export function peerAvailable(python = PYTHON): boolean {
  const r = spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 });
  return r.status === 0;
}

/** ResNet-20 training and inference img/s in PyTorch at `threads`, or null when it cannot run. */
export function measurePeer(threads: number, batch: number, seconds: number, rounds: number, python = PYTHON): PeerResult | null {
  const r = spawnSync(python, ['-c', SCRIPT, String(threads), String(batch), String(seconds), String(rounds)], {
    encoding: 'utf8', env: peerEnvironment(threads), timeout: 30 * 60_000,
  });
  if (r.status !== 0) return null;
  const line = r.stdout.trim().split('\n').pop() ?? '';
  const parsed = JSON.parse(line) as { version: string; train: number; inference: number };
  return { name: `pytorch ${parsed.version}`, train: parsed.train, inference: parsed.inference };
}
