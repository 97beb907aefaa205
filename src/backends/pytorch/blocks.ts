/**
 * One nn.Module class per block kind the network uses, printed from the kind's registry descriptor (units, norm
 * placement, stride unit, residual or plain) and from what the IR's blocks of that kind say (conv biases, shortcut
 * kinds, attention, stride placement). Attribute names follow netspec's torch scheme, so `state_dict()` keys are
 * the IR's torch names: conv1…convN, bn1…bnN (pre-activation kinds number each BN by the conv after it), downsample.
 */
import { invariant } from '../../diagnostics/diagnostic';
import { blockKinds } from '../../ir/blocks/registry';
import { BlockKindDescriptor } from '../../ir/blocks/descriptor';
import { roleKey } from '../../ir/roles';
import { BlockInfo, IRGraph, IRNode } from '../../ir/types';
import { HelperName, py } from './helpers';

export interface BlockClass {
  kind: string;
  className: string;
  text: string;
  helpers: HelperName[];
}

/** torchvision's class names: `basic` → `BasicBlock`, `bottleneck` → `Bottleneck`, `preact_basic` → `PreactBasicBlock`. */
export function className(kind: string): string {
  return kind.split('_').map((w) => w[0].toUpperCase() + w.slice(1)).join('') + (kind.endsWith('bottleneck') ? '' : 'Block');
}

/** The one value every block of a kind agrees on (an invariant: a mixed network would need a constructor argument). */
function agreed<T>(blocks: BlockInfo[], what: string, f: (b: BlockInfo) => T): T {
  const values = [...new Set(blocks.map((b) => JSON.stringify(f(b))))];
  invariant(values.length === 1, `blocks of kind ${blocks[0].kind} disagree on ${what}: ${values.join(', ')}`);
  return JSON.parse(values[0]) as T;
}

function nodeOf(graph: IRGraph, b: BlockInfo, key: string): IRNode | undefined {
  const name = b.roles.find((r) => roleKey(r.role) === key)?.node;
  return name === undefined ? undefined : graph.nodes.find((n) => n.name === name);
}

const useBias = (n: IRNode | undefined) => n?.op === 'conv2d' && n.attrs.useBias;

export function blockClass(graph: IRGraph, kind: string, blocks: BlockInfo[]): BlockClass {
  const d: BlockKindDescriptor = blockKinds.get(kind);
  const pre = d.activation === 'pre';
  const strideUnit = d.strideUnit[agreed(blocks, 'stride placement', (b) => b.strideAt)];
  const biases = d.units.map((_, i) => agreed(blocks, `conv${i + 1} bias`, (b) => useBias(nodeOf(graph, b, `conv${i + 1}`))));
  const shortcuts = new Set(blocks.map((b) => b.shortcut.chosen));
  const withConv = blocks.filter((b) => b.shortcut.chosen === 'projection' || b.shortcut.chosen === 'avg_down');
  const scBias = withConv.length > 0 && agreed(withConv, 'shortcut bias', (b) => useBias(nodeOf(graph, b, 'shortcut_conv')));
  const scNorm = withConv.length > 0 && agreed(withConv, 'shortcut norm', (b) => b.shortcut.norm);
  const se = blocks.some((b) => b.attention === 'se');
  const eca = blocks.some((b) => b.attention === 'eca');
  const dropPath = blocks.some((b) => b.dropPath > 0);
  const skipPreact = pre && blocks.some((b) => b.skipPreact);
  const preactShortcut = pre && agreed(blocks, 'preact_shortcut', (b) => b.preactShortcut);
  const last = d.units.length - 1;
  const helpers: HelperName[] = ['conv', 'norm'];

  const args = ['inplanes', 'widths', 'stride=1', 'dilation=1'];
  if (d.units.some((u) => u.grouped)) args.push('groups=1');
  if (d.units.some((u) => u.kernel === 'k')) args.push('kernel_size=3');
  if (d.residual) args.push('shortcut="identity"');
  if (se) args.push('se_channels=0');
  if (eca) args.push('eca_kernel=0');
  if (dropPath) args.push('drop_path=0.0');
  if (skipPreact) args.push('skip_preact=False');

  const init: string[] = ['super().__init__()'];
  if (pre) init.push(skipPreact ? 'self.bn1 = None if skip_preact else norm(inplanes)' : 'self.bn1 = norm(inplanes)');
  d.units.forEach((u, i) => {
    const input = i === 0 ? 'inplanes' : `widths[${i - 1}]`;
    const opts = [input, `widths[${i}]`, u.kernel === 1 ? '1' : 'kernel_size'];
    if (i === strideUnit) opts.push('stride=stride');
    if (u.dilated && u.kernel !== 1) opts.push('dilation=dilation');
    if (u.grouped) opts.push('groups=groups');
    opts.push(`bias=${py(biases[i])}`);
    init.push(`self.conv${i + 1} = conv(${opts.join(', ')})`);
    if (!pre) init.push(`self.bn${i + 1} = norm(widths[${i}])`);
    else if (i < last) init.push(`self.bn${i + 2} = norm(widths[${i}])`);
  });
  init.push('self.relu = nn.ReLU(inplace=True)');
  if (se) {
    helpers.push('se');
    init.push(`self.se = SqueezeExcite(widths[${last}], se_channels) if se_channels else None`);
  }
  if (eca) {
    helpers.push('eca');
    // timm names the attention module `se` whatever it is (layer1.0.se.conv.weight for ECA).
    init.push('self.se = EfficientChannelAttention(eca_kernel) if eca_kernel else None');
  }
  if (dropPath) {
    helpers.push('drop_path');
    init.push('self.drop_path = DropPath(drop_path) if drop_path else None');
  }
  if (d.residual) init.push(...shortcutInit(shortcuts, scBias, scNorm, last, helpers));
  init.push(`self.out_channels = widths[${last}]`);

  const fwd: string[] = [];
  let y = 'x';
  if (pre) {
    fwd.push(skipPreact ? 'pre = x if self.bn1 is None else self.relu(self.bn1(x))' : 'pre = self.relu(self.bn1(x))');
    y = 'pre';
  }
  if (d.residual) fwd.push(...shortcutForward(shortcuts, pre && preactShortcut ? 'pre' : 'x'));
  d.units.forEach((_, i) => {
    const unit = i + 1;
    if (pre) {
      const input = i === 0 ? y : `self.relu(self.bn${unit}(out))`;
      fwd.push(`out = self.conv${unit}(${input})`);
    } else {
      const conv = `self.bn${unit}(self.conv${unit}(${i === 0 ? 'x' : 'out'}))`;
      fwd.push(`out = ${i < last || !d.residual ? `self.relu(${conv})` : conv}`);
    }
  });
  if (se || eca) fwd.push('if self.se is not None:', '    out = self.se(out)');
  if (!d.residual) fwd.push('return out');
  else {
    if (dropPath) fwd.push('if self.drop_path is not None:', '    out = self.drop_path(out)');
    fwd.push(pre ? 'return identity + out' : 'return self.relu(identity + out)');
  }

  const name = className(kind);
  const body = [
    `class ${name}(nn.Module):`,
    `    """${d.summary}"""`,
    '',
    `    def __init__(self, ${args.join(', ')}):`,
    ...init.map((l) => `        ${l}`),
    '',
    '    def forward(self, x):',
    ...fwd.map((l) => `        ${l}`),
  ];
  return { kind, className: name, text: body.join('\n'), helpers };
}

/** torchvision's `downsample` (projection: conv, BN), timm's avg_down (pool or Identity, conv, BN), option A. */
function shortcutInit(kinds: Set<string>, bias: boolean, normed: boolean, last: number, helpers: HelperName[]): string[] {
  const out = `widths[${last}]`;
  const lines = ['self.downsample = None'];
  const projection = (stride: string) => `conv(inplanes, ${out}, 1, stride=${stride}, bias=${py(bias)})${normed ? `, norm(${out})` : ''}`;
  if (kinds.has('projection')) lines.push('if shortcut == "projection":', `    self.downsample = nn.Sequential(${projection('stride')})`);
  if (kinds.has('avg_down')) {
    lines.push('if shortcut == "avg_down":',
      '    pool = nn.AvgPool2d(stride, stride, ceil_mode=True, count_include_pad=False) if stride > 1 else nn.Identity()',
      `    self.downsample = nn.Sequential(pool, ${projection('1')})`);
  }
  if (kinds.has('maxpool')) lines.push('if shortcut == "maxpool":', '    self.downsample = nn.Sequential(nn.MaxPool2d(1, stride))');
  if (kinds.has('option_a')) {
    helpers.push('option_a');
    lines.push(`self.shortcut = OptionA(stride, inplanes, ${out}) if shortcut == "option_a" else None`);
  }
  return lines;
}

/** Conv shortcuts of pre-activation blocks read the pre-activated input; pooling and option A the raw one. */
function shortcutForward(kinds: Set<string>, convInput: string): string[] {
  const lines = ['identity = x'];
  const conv = kinds.has('projection') || kinds.has('avg_down');
  if (conv || kinds.has('maxpool')) {
    const input = conv && kinds.has('maxpool') && convInput !== 'x' ? `x if isinstance(self.downsample[0], nn.MaxPool2d) else ${convInput}` : conv ? convInput : 'x';
    lines.push('if self.downsample is not None:', `    identity = self.downsample(${input})`);
  }
  if (kinds.has('option_a')) lines.push('if self.shortcut is not None:', '    identity = self.shortcut(x)');
  return lines;
}
