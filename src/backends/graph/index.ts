/** Pictures of a network: `netspec graph` as SVG (ELK layout), Graphviz dot, or a self-contained HTML page. */
import { IRGraph } from '../../ir/types';
import { renderDot } from './dot';
import { layoutGraph } from './layout';
import { drawGraph, Level } from './model';
import { renderSvg } from './svg';

export { drawGraph, DrawGraph, Level, LEVELS } from './model';
export const FORMATS = ['svg', 'dot', 'html'] as const;
export type Format = (typeof FORMATS)[number];

export async function renderGraph(graph: IRGraph, level: Level, format: Format): Promise<string> {
  const g = drawGraph(graph, level);
  if (format === 'dot') return renderDot(g);
  const title = `${graph.name} · ${level} level`;
  const svg = renderSvg(await layoutGraph(g), title);
  if (format === 'svg') return svg;
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>` +
    '<style>body{margin:0;padding:24px;background:#fff;font-family:Helvetica,Arial,sans-serif}svg{max-width:100%;height:auto}</style>' +
    `</head><body>\n${svg}</body></html>\n`;
}
