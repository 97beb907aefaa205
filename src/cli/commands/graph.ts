import * as path from 'path';
import { Command, Option } from 'commander';
import { environmentError } from '../../diagnostics/environment';
import { writeFileAtomic } from '../../io/atomic';
import { collectSets, loadGraph } from '../load';

interface GraphOptions {
  set: string[];
  format: 'svg' | 'dot' | 'html';
  level: 'stage' | 'block' | 'layer';
  out?: string;
}

export function registerGraph(program: Command): void {
  program
    .command('graph')
    .description('draw the network: each layer, block or stage with its type, output shape and parameters, residual paths and stages marked')
    .argument('<spec>', 'built-in name (see `netspec list`) or spec file')
    .option('--set <key=value>', 'override a field (repeatable)', collectSets, [])
    .addOption(new Option('--format <format>', 'svg (laid out by ELK), dot (Graphviz text) or html (the SVG in a page)').choices(['svg', 'dot', 'html']).default('svg'))
    .addOption(new Option('--level <level>', 'one box per stage, per residual block, or per layer').choices(['stage', 'block', 'layer']).default('block'))
    .option('--out <file>', 'where to write (default: standard output)')
    .action(async (ref: string, opts: GraphOptions) => {
      const { graph } = loadGraph(ref, opts.set);
      const { renderGraph } = await import('../../backends/graph');
      const text = await renderGraph(graph, opts.level, opts.format);
      if (opts.out === undefined) return void process.stdout.write(text);
      try {
        await writeFileAtomic(opts.out, text);
      } catch (e) {
        throw environmentError(e, `cannot write ${opts.out}`) ?? e;
      }
      process.stdout.write(`wrote ${path.resolve(opts.out)}\n`);
    });
}
