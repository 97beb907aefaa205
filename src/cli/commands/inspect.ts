import { Command } from 'commander';
import { stringify } from 'yaml';
import { inspectJson, layerType, nodeParams } from '../../ir/describe';
import { IRGraph } from '../../ir/types';
import { formatCount, formatMacs, formatShape } from '../format';
import { collectSets, loadGraph } from '../load';
import { verifyBuild } from './compile';

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description('summarise a spec like Keras model.summary(): layers, output shapes, parameters, per-stage subtotals, MACs')
    .argument('<spec>', 'built-in name (see `netspec list`) or spec file')
    .option('--set <key=value>', 'override a field, e.g. --set stages.3.blocks=4 (repeatable)', collectSets, [])
    .option('--json', 'print the summary as one JSON object')
    .option('--resolved', 'print the fully resolved spec (extends, presets and defaults applied) as YAML')
    .option('--blocks', 'one line per block instead of per layer')
    .option('--verify', 'build the tfjs model and compare each layer\'s output shape and parameters with the IR (exit 1 on a difference)')
    .action((ref: string, opts: { set: string[]; json?: boolean; resolved?: boolean; blocks?: boolean; verify?: boolean }) => {
      const { graph, result } = loadGraph(ref, opts.set);
      if (opts.verify) return verifyBuild(graph);
      if (opts.resolved) process.stdout.write(stringify(result.raw));
      else if (opts.json) process.stdout.write(JSON.stringify(inspectJson(graph), null, 2) + '\n');
      else process.stdout.write(summary(graph, !!opts.blocks));
    });
}

/** Keras-like table; a subtotal row closes each stage. With `blocksOnly`, one row per residual block. */
export function summary(graph: IRGraph, blocksOnly: boolean): string {
  const rows: string[][] = [];
  const blockOf = new Map(graph.blocks.flatMap((b) => b.nodes.map((n) => [n, b] as const)));
  let stage: number | undefined;
  for (const n of graph.nodes) {
    const s = n.scope.part === 'block' ? n.scope.stage : undefined;
    if (s !== stage && stage !== undefined) rows.push(stageTotal(graph, stage), ['\u0000-']);
    stage = s;
    const block = blockOf.get(n.name);
    if (!blocksOnly || !block) {
      rows.push([`${n.name} (${layerType(n)})`, formatShape(n.shape), formatCount(nodeParams(n))]);
    } else if (block.nodes[0] === n.name) {
      const nodes = graph.nodes.filter((m) => blockOf.get(m.name) === block);
      const label = `block ${block.stage + 1}.${block.index} ${block.kind}${block.shortcut.chosen !== 'identity' && block.shortcut.chosen !== 'none' ? ` + ${block.shortcut.chosen}` : ''}`;
      rows.push([label, formatShape(nodes[nodes.length - 1].shape), formatCount(nodes.reduce((a, m) => a + nodeParams(m), 0))]);
    }
  }
  const widths = [Math.max(28, ...rows.map((r) => (r.length === 3 ? r[0].length : 0))), 22, 12];
  const line = (c: string) => c.repeat(widths[0] + widths[1] + widths[2] + 4);
  const out = [`Model: "${graph.name}"`, line('='), pad(['Layer (type)', 'Output Shape', 'Param #'], widths), line('=')];
  for (const r of rows) out.push(r.length === 1 ? line(r[0].slice(1)) : pad(r, widths));
  const p = graph.params;
  out.push(line('='));
  out.push(`Total params: ${formatCount(p.total)}`);
  out.push(`Trainable params: ${formatCount(p.trainable)}`);
  out.push(`Non-trainable params: ${formatCount(p.nonTrainable)}`);
  out.push(`MACs: ${formatMacs(graph.macs)} (${graph.input.join('×')} input)`);
  out.push(line('='));
  return out.join('\n') + '\n';
}

function stageTotal(graph: IRGraph, stage: number): string[] {
  const s = graph.stages[stage];
  return [`  ${s.name} subtotal (${s.blocks} blocks, ${formatMacs(s.macs)} MACs)`, formatShape(s.outputShape), formatCount(s.params.trainable + s.params.nonTrainable)];
}

function pad(cells: string[], widths: number[]): string {
  return `${cells[0].padEnd(widths[0])}  ${cells[1].padEnd(widths[1])}  ${cells[2].padStart(widths[2])}`;
}
