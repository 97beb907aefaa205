/**
 * PyTorch as the ResNet-50 peer: torchvision's ResNet-50 (V1.5: the stride on the 3×3; 25,557,032 parameters, as
 * netspec's `resnet50`) written out so that no torchvision install is needed, channels_last, 224×224, Adam and
 * cross-entropy, in a process of its own: argv = threads, train|inference, batch, timed calls. Prints one JSON
 * line: version, img/s over the timed calls after one warm-up call, and peak RSS.
 */
import { spawnSync } from 'child_process';
import { peerEnvironment } from './train-peer';

const SCRIPT = String.raw`
import json, resource, sys, time
import torch, torch.nn as nn, torch.nn.functional as F
threads, kind, batch, calls = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
torch.set_num_threads(threads)
torch.manual_seed(0)

class Bottleneck(nn.Module):
    def __init__(self, cin, width, stride):
        super().__init__()
        cout = width * 4
        self.c1, self.b1 = nn.Conv2d(cin, width, 1, bias=False), nn.BatchNorm2d(width)
        self.c2, self.b2 = nn.Conv2d(width, width, 3, stride, 1, bias=False), nn.BatchNorm2d(width)
        self.c3, self.b3 = nn.Conv2d(width, cout, 1, bias=False), nn.BatchNorm2d(cout)
        self.down = None if stride == 1 and cin == cout else nn.Sequential(
            nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
    def forward(self, x):
        y = F.relu(self.b1(self.c1(x)))
        y = F.relu(self.b2(self.c2(y)))
        y = self.b3(self.c3(y))
        return F.relu(y + (x if self.down is None else self.down(x)))

class ResNet50(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(3, 2, 1))
        layers, cin = [], 64
        for width, blocks, stride in ((64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)):
            for i in range(blocks):
                layers.append(Bottleneck(cin, width, stride if i == 0 else 1))
                cin = width * 4
        self.layers, self.fc = nn.Sequential(*layers), nn.Linear(2048, 1000)
    def forward(self, x):
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(self.layers(self.stem(x)), 1), 1))

model = ResNet50().to(memory_format=torch.channels_last)
x = torch.randn(batch, 3, 224, 224).to(memory_format=torch.channels_last)
labels = torch.randint(0, 1000, (batch,))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

def train_step():
    optimizer.zero_grad(set_to_none=True)
    loss = F.cross_entropy(model(x), labels)
    loss.backward()
    optimizer.step()
    loss.item()

if kind == "train":
    model.train()
    step = train_step
else:
    model.eval()
    def step():
        with torch.no_grad():
            model(x).sum().item()
step()
start = time.perf_counter()
for _ in range(calls):
    step()
rate = calls * batch / (time.perf_counter() - start)
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"version": torch.__version__, "imagesPerSecond": rate, "peakRssMB": rss}))
`;

export interface CaseResult {
  imagesPerSecond: number;
  peakRssMB: number;
}

/** One ResNet-50 case in PyTorch, or the reason it did not run. */
export function measureResnet50Peer(python: string, threads: number, kind: 'train' | 'inference', batch: number,
  calls: number): (CaseResult & { name: string }) | { error: string } {
  const r = spawnSync(python, ['-c', SCRIPT, String(threads), kind, String(batch), String(calls)], {
    encoding: 'utf8', env: peerEnvironment(threads), timeout: 60 * 60_000,
  });
  const line = r.stdout?.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) {
    return { error: (r.stderr ?? '').trim().split('\n').pop() || `exit status ${r.status ?? r.signal}` };
  }
  const parsed = JSON.parse(line) as CaseResult & { version: string };
  return { name: `pytorch ${parsed.version}`, imagesPerSecond: parsed.imagesPerSecond, peakRssMB: parsed.peakRssMB };
}
