import { Command, InvalidArgumentError } from 'commander';
import { stringify } from 'yaml';
import { inspectJson, layerType, memoryEstimate, nodeParams } from '../../ir/describe';
import { IRGraph, IRNode } from '../../ir/types';
import { formatCount, formatMacs, formatShape } from '../format';
import { ALLOW_PATH_FLAG, ALLOW_PATH_HELP, collectSets, loadGraph } from '../load';
import { verifyBuild } from './compile';

/** torchinfo's `depth`: how far down the summary goes. */
export const DEPTH = { stages: 1, blocks: 2, layers: 3 } as const;

interface InspectOptions {
  set: string[];
  allowPath: string[];
  json?: boolean;
  resolved?: boolean;
  blocks?: boolean;
  depth?: number;
  batchSize: number;
  verify?: boolean;
}

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description('summarise a spec like Keras model.summary() and torchinfo: layers, output shapes, parameters, MACs, memory')
    .argument('<spec>', 'built-in name (see `netspec list`) or spec file')
    .option('--set <key=value>', 'override a field, e.g. --set stages.3.blocks=4 (repeatable)', collectSets, [])
    .option(ALLOW_PATH_FLAG, ALLOW_PATH_HELP, collectSets, [])
    .option('--json', 'print the summary as one JSON object')
    .option('--resolved', 'print the fully resolved spec (extends, presets and defaults applied) as YAML')
    .option('--depth <n>', 'how deep the table goes, as torchinfo: 1 = stages, 2 = blocks, 3 = layers (default)', positiveInt('--depth', 3))
    .option('--blocks', 'one line per block instead of per layer (same as --depth 2)')
    .option('--batch-size <n>', 'batch size of the activation-memory estimate', positiveInt('--batch-size'), 1)
    .option('--verify', 'build the tfjs model and compare each layer\'s output shape and parameters with the IR (exit 1 on a difference)')
    .action((ref: string, opts: InspectOptions) => {
      const { graph, result } = loadGraph(ref, opts.set, opts.allowPath);
      if (opts.verify) return verifyBuild(graph);
      if (opts.resolved) process.stdout.write(stringify(result.raw));
      else if (opts.json) process.stdout.write(JSON.stringify(inspectJson(graph, opts.batchSize), null, 2) + '\n');
      else process.stdout.write(summary(graph, opts.depth ?? (opts.blocks ? DEPTH.blocks : DEPTH.layers), opts.batchSize));
    });
}

function positiveInt(flag: string, max = Infinity) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > max) throw new InvalidArgumentError(`${flag} takes an integer from 1${max < Infinity ? ` to ${max}` : ''}, got '${value}'`);
    return n;
  };
}

type Row = string[] | 'rule';

/** Keras-like table with torchinfo's Mult-Adds column; a subtotal row closes each stage below depth 1. */
export function summary(graph: IRGraph, depth: number, batchSize = 1): string {
  const rows = tableRows(graph, depth);
  const cells = rows.filter((r): r is string[] => r !== 'rule');
  const widths = [Math.max(28, ...cells.map((r) => r[0].length)), 22, 12, 15];
  const width = widths.reduce((a, b) => a + b, 0) + 6;
  const line = (c: string) => c.repeat(width);
  const out = [`Model: "${graph.name}"`, line('='), pad(['Layer (type)', 'Output Shape', 'Param #', 'Mult-Adds'], widths), line('=')];
  for (const r of rows) out.push(r === 'rule' ? line('-') : pad(r, widths));
  const p = graph.params;
  const m = memoryEstimate(graph, batchSize);
  out.push(line('='));
  out.push(`Total params: ${formatCount(p.total)}`);
  out.push(`Trainable params: ${formatCount(p.trainable)}`);
  out.push(`Non-trainable params: ${formatCount(p.nonTrainable)}`);
  out.push(`MACs: ${formatMacs(graph.macs)} (${graph.input.join('×')} input)`);
  out.push(line('='));
  out.push(`Input size (MB): ${m.inputMB.toFixed(2)}`);
  out.push(`Forward/backward pass size (MB): ${m.forwardBackwardMB.toFixed(2)}`);
  out.push(`Params size (MB): ${m.paramsMB.toFixed(2)}`);
  out.push(`Buffers size (MB): ${m.buffersMB.toFixed(2)}  (batch-norm moving statistics, not in the total)`);
  out.push(`Estimated Total Size (MB): ${m.totalMB.toFixed(2)}  (batch size ${batchSize}, float32)`);
  out.push(line('='));
  return out.join('\n') + '\n';
}

function tableRows(graph: IRGraph, depth: number): Row[] {
  const rows: Row[] = [];
  const blockOf = new Map(graph.blocks.flatMap((b) => b.nodes.map((n) => [n, b] as const)));
  const sum = (nodes: IRNode[], f: (n: IRNode) => number) => formatCount(nodes.reduce((a, n) => a + f(n), 0));
  let stage: number | undefined;
  for (const n of graph.nodes) {
    const s = n.scope.part === 'block' ? n.scope.stage : undefined;
    if (s !== stage && stage !== undefined && depth > DEPTH.stages) rows.push(stageRow(graph, stage, true), 'rule');
    const entering = s !== stage;
    stage = s;
    const block = blockOf.get(n.name);
    if (!block || depth >= DEPTH.layers) rows.push([`${n.name} (${layerType(n)})`, formatShape(n.shape), formatCount(nodeParams(n)), macs(n.macs)]);
    else if (depth === DEPTH.stages) {
      if (entering && s !== undefined) rows.push(stageRow(graph, s, false));
    } else if (block.nodes[0] === n.name) {
      const nodes = graph.nodes.filter((m) => blockOf.get(m.name) === block);
      const label = `block ${block.stage + 1}.${block.index} ${block.kind}${block.shortcut.chosen !== 'identity' && block.shortcut.chosen !== 'none' ? ` + ${block.shortcut.chosen}` : ''}`;
      rows.push([label, formatShape(nodes[nodes.length - 1].shape), sum(nodes, nodeParams), macs(nodes.reduce((a, m) => a + m.macs, 0))]);
    }
  }
  return rows;
}

function stageRow(graph: IRGraph, stage: number, subtotal: boolean): string[] {
  const s = graph.stages[stage];
  const label = subtotal ? `  ${s.name} subtotal (${s.blocks} blocks, ${formatMacs(s.macs)} MACs)` : `${s.name} (stage, ${s.blocks} blocks)`;
  return [label, formatShape(s.outputShape), formatCount(s.params.trainable + s.params.nonTrainable), macs(s.macs)];
}

/** torchinfo prints `--` for layers without multiply-adds. */
const macs = (n: number) => (n === 0 ? '--' : formatCount(n));

function pad(cells: string[], widths: number[]): string {
  return `${cells[0].padEnd(widths[0])}  ${cells[1].padEnd(widths[1])}  ${cells[2].padStart(widths[2])}  ${cells[3].padStart(widths[3])}`;
}
