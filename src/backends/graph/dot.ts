/** Graphviz dot text of the same graph: stages as clusters, residual edges coloured; Graphviz does the layout. */
import { DrawGraph } from './model';
import { boxLines } from './text';

const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
const q = (s: string) => `"${esc(s)}"`;

export function renderDot(g: DrawGraph): string {
  const out = [`digraph ${q(g.name)} {`, '  rankdir=TB;', '  node [shape=box, style="rounded,filled", fillcolor="#dbe8fb", fontname="Helvetica", fontsize=11];', '  edge [color="#343a40"];'];
  // dot's line break inside a label is the two characters \n.
  const line = (id: string, lines: string[]) => `${q(id)} [label="${lines.map(esc).join('\\n')}"];`;
  for (const n of g.nodes.filter((x) => x.stage === undefined || g.stages.length === 0)) out.push(`  ${line(n.id, boxLines(n, g.level))}`);
  for (const s of g.stages) {
    out.push(`  subgraph cluster_${s.index} {`, `    label=${q(s.label)}; style="rounded,filled"; fillcolor="#f5f6f8"; color="#adb5bd";`);
    for (const n of g.nodes.filter((x) => x.stage === s.index)) out.push(`    ${line(n.id, boxLines(n, g.level))}`);
    out.push('  }');
  }
  for (const e of g.edges) out.push(`  ${q(e.source)} -> ${q(e.target)}${e.residual ? ' [color="#e8590c", penwidth=1.8]' : ''};`);
  for (const n of g.nodes.filter((x) => x.shortcut !== undefined)) out.push(`  ${q(n.id)} -> ${q(n.id)} [color="#e8590c", penwidth=1.8${n.shortcut === 'identity' ? '' : `, label=${q(n.shortcut!)}`}];`);
  out.push('}');
  return out.join('\n') + '\n';
}
