/**
 * IR → one Python module that builds the same network with torch alone and reads like torchvision's resnet.py:
 * the helpers it needs, one class per block kind (./blocks.ts), a stage table, and the model class whose stem and
 * head are the IR's stem and head layers. Attribute paths are netspec's torch names (./names.ts), so
 * `state_dict()` holds exactly the IR's weights under those names. Runs on torch 1.13 and 2.x: only nn modules and
 * functional ops that both have. The output depends on the IR alone: emitting twice gives the same bytes.
 */
import { invariant } from '../../diagnostics/diagnostic';
import { roleKey } from '../../ir/roles';
import { BlockInfo, IRGraph, IRNode } from '../../ir/types';
import { blockClass } from './blocks';
import { HelperName, helperText, py, torchMomentum } from './helpers';
import { headItemModule } from './head';
import { DenseInit, initPrelude, resetParameters } from './init';
import { torchModuleNames } from './names';

export interface PyEmitOptions {
  source: string;
  sets?: readonly string[];
  regenerate?: string;
}

/** `fashion-resnet8` → `FashionResnet8`. */
export function modelClassName(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1));
  const joined = words.join('') || 'Model';
  return /^[0-9]/.test(joined) ? `Net${joined}` : joined;
}

export function emitPyTorch(graph: IRGraph, options: PyEmitOptions): string {
  const names = torchModuleNames(graph);
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  const kinds = [...new Set(graph.blocks.map((b) => b.kind))];
  const classes = kinds.map((k) => blockClass(graph, k, graph.blocks.filter((b) => b.kind === k)));
  const helpers = new Set<HelperName>(classes.flatMap((c) => c.helpers));
  const stem = layers(graph.stem.map((n) => byName.get(n)!), names, byName, helpers);
  const head = layers(graph.head.map((h) => byName.get(h.node)!), names, byName, helpers);
  const cls = modelClassName(graph.name);
  const order: HelperName[] = ['conv', 'norm', 'se', 'eca', 'drop_path', 'option_a', 'resize', 'head'];
  const padding = graph.settings.padding;
  const dense = head.flatMap((l) => (l.init ? [l.init] : []));
  const prelude = initPrelude(graph, dense);
  const sections = [
    banner(graph, options),
    [...prelude.imports, 'import torch', 'import torch.nn as nn', 'import torch.nn.functional as F'].join('\n'),
    `# Batch norm settings (momentum in torch's sense: the weight of the new batch).\nBN_EPS = ${py(graph.settings.batchNorm.epsilon)}\nBN_MOMENTUM = ${py(torchMomentum(graph.settings.batchNorm.momentum))}`,
    ...order.filter((h) => helpers.has(h)).map((h) => helperText(h, padding)),
    ...prelude.helpers,
    ...classes.map((c) => c.text),
    stageTable(graph, classes.map((c) => [c.kind, c.className])),
    modelClass(graph, cls, stem, head, resetParameters(graph, dense)),
    `def create_model():\n    return ${cls}()`,
  ];
  return `${sections.join('\n\n\n')}\n`;
}

interface Layer {
  attr: string;
  module?: string;
  /** Forward statement; `x` in and out. */
  call: string;
  final?: boolean;
  /** A dense layer's kernel initializer, for reset_parameters. */
  init?: DenseInit;
}

/** Stem or head layers as modules; pads fold into the conv or pool after them (symmetric, as torch pads). */
function layers(nodes: IRNode[], names: Map<string, string>, byName: Map<string, IRNode>, helpers: Set<HelperName>): Layer[] {
  const out: Layer[] = [];
  let pad = 0;
  for (const n of nodes) {
    const attr = names.get(n.name)!;
    const input = byName.get(n.inputs[0]);
    const inChannels = input?.shape[input.shape.length - 1] ?? 0;
    const add = (module: string, call = `x = self.${attr}(x)`) => out.push({ attr, module, call });
    if (n.scope.role.kind === 'head_layer') {
      helpers.add('head');
      const item = headItemModule(n, input?.shape ?? [], n === nodes[nodes.length - 1]);
      add(item.module);
      if (item.final) out.push({ attr, call: item.final, final: true });
      continue;
    }
    switch (n.op) {
      case 'zero_pad': {
        const [[t, b], [l, r]] = n.attrs.padding;
        invariant(t === b && l === r && t === l, `asymmetric explicit padding at ${n.name}`);
        const before = byName.get(n.inputs[0]);
        const consumer = nodes.find((m) => m.inputs[0] === n.name);
        // Zero padding equals the pool's -inf padding only after a ReLU; elsewhere it stays its own layer.
        if (consumer?.op === 'conv2d' || (consumer?.op === 'max_pool' && before?.op === 'relu')) pad = t;
        else add(`nn.ZeroPad2d(${t})`);
        break;
      }
      case 'conv2d': {
        const a = n.attrs;
        const args = `${inChannels}, ${a.filters}, ${a.kernel}, stride=${a.strides}`;
        add(pad > 0 || a.padding === 'valid'
          ? `nn.Conv2d(${args}, padding=${pad}${a.groups > 1 ? `, groups=${a.groups}` : ''}, bias=${py(a.useBias)})`
          : `conv(${args}${a.groups > 1 ? `, groups=${a.groups}` : ''}, bias=${py(a.useBias)})`);
        if (pad === 0 && a.padding !== 'valid') helpers.add('conv');
        pad = 0;
        break;
      }
      case 'batch_norm':
        helpers.add('norm');
        add(`norm(${n.shape[n.shape.length - 1]})`);
        break;
      case 'relu':
        add('nn.ReLU(inplace=True)');
        break;
      case 'max_pool':
      case 'avg_pool': {
        const pool = n.op === 'max_pool' ? 'MaxPool2d' : 'AvgPool2d';
        const extra = n.attrs.padding === 'same' ? ', ceil_mode=True, count_include_pad=False' : '';
        add(`nn.${pool}(${n.attrs.size}, stride=${n.attrs.strides}${pad > 0 ? `, padding=${pad}` : ''}${n.op === 'avg_pool' ? extra : ''})`);
        pad = 0;
        break;
      }
      case 'global_pool':
        add(`nn.Adaptive${n.attrs.mode === 'avg' ? 'Avg' : 'Max'}Pool2d(1)`, n.attrs.keepDims ? `x = self.${attr}(x)` : `x = torch.flatten(self.${attr}(x), 1)`);
        break;
      case 'flatten':
        // The tfjs model flattens NHWC; the same order keeps the classifier's weights those of the tfjs model.
        out.push({ attr, call: 'x = torch.flatten(x.permute(0, 2, 3, 1), 1)' });
        break;
      case 'dropout':
        add(`nn.Dropout(${py(n.attrs.rate)})`);
        break;
      case 'resize':
        helpers.add('resize');
        add(`Upsample(${py(n.attrs.factor)}, ${py(n.attrs.interpolation)})`);
        break;
      case 'dense':
        add(`nn.Linear(${inChannels}, ${n.attrs.units}, bias=${py(n.attrs.useBias)})`);
        out[out.length - 1].init = { attr, initializer: n.attrs.kernelInitializer, bias: n.attrs.useBias };
        if (n.attrs.activation !== 'linear') out.push({ attr, call: n.attrs.activation === 'softmax' ? 'x = torch.softmax(x, 1)' : 'x = torch.sigmoid(x)', final: true });
        break;
      default:
        invariant(false, `no PyTorch module for ${n.op} in the stem or head (${n.name})`);
    }
  }
  return out;
}

/** Per stage, runs of equal blocks: (block class, how many, constructor arguments). */
function stageTable(graph: IRGraph, classNames: Array<[string, string]>): string {
  const cls = new Map(classNames);
  const rows = graph.stages.map((_, s) => {
    const runs: Array<{ key: string; count: number }> = [];
    for (const b of graph.blocks.filter((x) => x.stage === s)) {
      const key = `(${cls.get(b.kind)}, %COUNT%, dict(${blockArgs(graph, b)}))`;
      if (runs.length > 0 && runs[runs.length - 1].key === key) runs[runs.length - 1].count++;
      else runs.push({ key, count: 1 });
    }
    return `    [${runs.map((r) => r.key.replace('%COUNT%', String(r.count))).join(',\n     ')}],`;
  });
  return `# The residual stages: per stage, runs of blocks as (block class, how many, arguments).\nSTAGES = [\n${rows.join('\n')}\n]`;
}

function blockArgs(graph: IRGraph, b: BlockInfo): string {
  const args = [`widths=${py(b.filters)}`];
  if (b.stride !== 1) args.push(`stride=${b.stride}`);
  if (b.dilation !== 1) args.push(`dilation=${b.dilation}`);
  if (b.groups !== 1) args.push(`groups=${b.groups}`);
  if (b.kernelSize !== 3) args.push(`kernel_size=${b.kernelSize}`);
  if (b.shortcut.chosen !== 'identity' && b.shortcut.chosen !== 'none') args.push(`shortcut=${py(b.shortcut.chosen)}`);
  const fc1 = b.roles.find((r) => roleKey(r.role) === 'attn_fc1');
  const se = fc1 && graph.nodes.find((n) => n.name === fc1.node);
  if (se?.op === 'conv2d') args.push(`se_channels=${se.attrs.filters}`);
  const ecaConv = b.roles.find((r) => roleKey(r.role) === 'attn_conv');
  const eca = ecaConv && graph.nodes.find((n) => n.name === ecaConv.node);
  if (eca?.op === 'channel_conv') args.push(`eca_kernel=${eca.attrs.kernel}`);
  if (b.dropPath > 0) args.push(`drop_path=${py(b.dropPath)}`);
  if (b.skipPreact) args.push('skip_preact=True');
  return args.join(', ');
}

function modelClass(graph: IRGraph, cls: string, stem: Layer[], head: Layer[], reset: string[]): string {
  const modules = (list: Layer[]) => {
    const groups = new Map<string, string[]>();
    for (const l of list.filter((x) => x.module !== undefined)) {
      const [top] = l.attr.split('.');
      groups.set(top, [...(groups.get(top) ?? []), l.module!]);
    }
    return [...groups].map(([attr, m]) => (m.length === 1 && !list.some((l) => l.attr.startsWith(`${attr}.`))
      ? `self.${attr} = ${m[0]}` : `self.${attr} = nn.Sequential(\n            ${m.join(',\n            ')},\n        )`));
  };
  const calls = (list: Layer[]) => {
    const seen = new Set<string>();
    return list.filter((l) => !l.final).flatMap((l) => {
      const [top] = l.attr.split('.');
      if (l.attr.includes('.')) {
        if (seen.has(top)) return [];
        seen.add(top);
        return [`x = self.${top}(x)`];
      }
      return [l.call];
    });
  };
  const stemEnd = graph.stem[graph.stem.length - 1];
  const inplanes = graph.nodes.find((n) => n.name === stemEnd)?.shape[2] ?? graph.input[2];
  const extraOutputs = graph.outputs.filter((o) => graph.stages.some((s) => s.output === o));
  const finals = head.filter((l) => l.final);
  const lines = [
    `class ${cls}(nn.Module):`,
    `    """${graph.name}: ${graph.params.trainable.toLocaleString('en-US')} parameters, ${graph.blocks.length} residual blocks; input NCHW ${graph.input[2]}×${graph.input[0]}×${graph.input[1]}."""`,
    '',
    '    def __init__(self):',
    '        super().__init__()',
    ...modules(stem).map((l) => `        ${l}`),
    `        inplanes = ${inplanes}`,
    '        for i, rows in enumerate(STAGES, 1):',
    '            blocks = []',
    '            for block, count, args in rows:',
    '                for _ in range(count):',
    '                    blocks.append(block(inplanes, **args))',
    '                    inplanes = blocks[-1].out_channels',
    '            self.add_module(f"layer{i}", nn.Sequential(*blocks))',
    ...modules(head).map((l) => `        ${l}`),
    '        self.reset_parameters()',
    '',
    ...reset,
    '',
    '    def features(self, x):',
    `        """The stem and the stages${extraOutputs.length > 0 ? '; also returns the outputs of the stages in out_indices' : ''}."""`,
    ...calls(stem).map((l) => `        ${l}`),
    ...(extraOutputs.length > 0 ? ['        outs = []'] : []),
    '        for i in range(1, len(STAGES) + 1):',
    '            x = getattr(self, f"layer{i}")(x)',
    ...(extraOutputs.length > 0 ? [`            if i in ${py(graph.settings.outIndices)}:`, '                outs.append(x)', '        return x, outs'] : ['        return x']),
    '',
    '    def logits(self, x):',
    '        """Everything but the output activation: what a loss function takes."""',
    ...(extraOutputs.length > 0 ? ['        x, _ = self.features(x)'] : ['        x = self.features(x)']),
    ...calls(head).map((l) => `        ${l}`),
    '        return x',
    '',
    '    def forward(self, x):',
    ...(extraOutputs.length > 0 ? ['        x, outs = self.features(x)', ...calls(head).map((l) => `        ${l}`), ...finals.map((l) => `        ${l.call}`), `        return ${head.length > 0 ? '[*outs, x]' : 'outs'}`]
      : ['        x = self.logits(x)', ...finals.map((l) => `        ${l.call}`), '        return x']),
  ];
  return lines.join('\n');
}

function banner(graph: IRGraph, options: PyEmitOptions): string {
  const sets = (options.sets ?? []).map((s) => ` --set ${s}`).join('');
  const p = graph.params;
  const count = (n: number) => n.toLocaleString('en-US');
  return [
    `# Generated by netspec from the spec \`${options.source}\`${sets ? ` with${sets}` : ''}.`,
    `# Do not edit: \`${options.regenerate ?? `netspec emit ${options.source}${sets} --target pytorch`}\` rewrites this file.`,
    '#',
    `# ${graph.name}: ${count(p.total)} parameters and buffers (${count(p.trainable)} trainable), ${(graph.macs / 1e9).toFixed(3)} G multiply-accumulates`,
    `# at ${graph.input.join('×')}. Module paths are netspec's torch names (layer1.0.conv1), so state_dict() keys are`,
    '# the IR\'s; netspec writes and reads such state dicts as .safetensors. Depends only on torch (1.13 or 2.x).',
  ].join('\n');
}
