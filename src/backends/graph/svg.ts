/** SVG from the ELK layout: boxes coloured by layer kind, residual paths in orange, stages framed and labelled. */
import { ARC_ROOM, Layout, PlacedNode, Point } from './layout';
import { BOX, textWidth } from './text';

/** Fill per Keras layer type (a pastel per family, as in Netron): convs blue, norms amber, activations green. */
const FILLS: Record<string, string> = {
  Conv2D: '#dbe8fb', GroupedConv2D: '#dbe8fb', BatchNormalization: '#fdf0c8', FrozenBatchNormalization: '#fdf0c8',
  Activation: '#dcf2dc', Add: '#fde2cf', ZeroPadding2D: '#eeeeee', SubsamplePad: '#fde2cf', MaxPooling2D: '#e8defa',
  AveragePooling2D: '#e8defa', GlobalAveragePooling2D: '#e8defa', GlobalMaxPooling2D: '#e8defa', Flatten: '#eeeeee',
  Dropout: '#eeeeee', Dense: '#f9dbe6', InputLayer: '#ffffff',
};
const BLOCK_FILL = '#dbe8fb';
const INK = '#343a40';
const MUTED = '#5c636a';
const RESIDUAL = '#e8590c';
const FRAME = '#f5f6f8';
const TITLE = 16;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const n1 = (v: number) => Math.round(v * 10) / 10;

export function renderSvg(layout: Layout, title: string): string {
  const top = TITLE + 14;
  const width = Math.ceil(layout.width);
  const height = Math.ceil(layout.height + top);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">`,
    '<defs>',
    arrow('arrow', INK),
    arrow('arrow-res', RESIDUAL),
    arrow('arrow-arc', RESIDUAL, 5),
    '</defs>',
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="16" y="${TITLE + 6}" font-size="${TITLE}" font-weight="bold" fill="${INK}">${esc(title)}</text>`,
    `<g transform="translate(0 ${top})">`,
  ];
  for (const s of layout.stages) {
    out.push(`<g class="stage"><rect x="${n1(s.x)}" y="${n1(s.y)}" width="${n1(s.width)}" height="${n1(s.height)}" rx="8" fill="${FRAME}" stroke="#adb5bd" stroke-width="1.2"/></g>`);
  }
  // Main path first, residual paths over it.
  for (const residual of [false, true]) {
    for (const e of layout.edges.filter((x) => x.residual === residual)) {
      out.push(`<path d="${roundedPath(e.points)}" fill="none" stroke="${residual ? RESIDUAL : INK}" stroke-width="${residual ? 1.8 : 1.2}" marker-end="url(#${residual ? 'arrow-res' : 'arrow'})"/>`);
    }
  }
  // Labels over the edges that enter their frame, on the frame's own colour, so no line runs through the text.
  for (const s of layout.stages) {
    const y = s.y + BOX.frameSize + 8;
    out.push(`<rect x="${n1(s.x + 8)}" y="${n1(y - BOX.frameSize)}" width="${textWidth(s.label, BOX.frameSize) + 8}" height="${BOX.frameSize + 5}" fill="${FRAME}"/>`,
      `<text x="${n1(s.x + 12)}" y="${n1(y)}" font-size="${BOX.frameSize}" font-weight="bold" fill="${MUTED}">${esc(s.label)}</text>`);
  }
  for (const n of layout.nodes) out.push(box(n));
  out.push('</g>', '</svg>');
  return out.join('\n') + '\n';
}

function box(p: PlacedNode): string {
  const n = p.node;
  const arc = n.shortcut !== undefined;
  const w = p.width - (arc ? ARC_ROOM : 0);
  const fill = arc || n.stage === undefined && /×/.test(n.type) ? BLOCK_FILL : FILLS[n.type] ?? BLOCK_FILL;
  const parts = [`<g class="node"><title>${esc(`${n.name} (${n.type}) ${n.shape.join('×')}`)}</title>`,
    `<rect x="${n1(p.x)}" y="${n1(p.y)}" width="${n1(w)}" height="${n1(p.height)}" rx="5" fill="${fill}" stroke="#868e96" stroke-width="1"/>`];
  p.lines.forEach((line, i) => {
    const y = p.y + BOX.padY + BOX.titleSize - 2 + i * BOX.lineHeight;
    parts.push(`<text x="${n1(p.x + w / 2)}" y="${n1(y)}" text-anchor="middle" font-size="${i === 0 ? BOX.titleSize : BOX.textSize}"${i === 0 ? ' font-weight="bold"' : ''} fill="${i === 0 ? INK : MUTED}">${esc(line)}</text>`);
  });
  if (arc) parts.push(shortcutArc(p.x + w, p.y, p.height, n.shortcut!));
  parts.push('</g>');
  return parts.join('');
}

/** A block's residual connection, drawn as papers do: an arc past the box's right side, labelled unless identity. */
function shortcutArc(x: number, y: number, h: number, kind: string): string {
  const bulge = x + 20;
  const d = `M ${n1(x - 16)} ${n1(y - 3)} C ${n1(bulge + 6)} ${n1(y - 3)}, ${n1(bulge + 6)} ${n1(y + h + 3)}, ${n1(x - 12)} ${n1(y + h + 3)}`;
  const label = kind === 'identity' ? '' : `<text x="${n1(bulge + 3)}" y="${n1(y + h / 2 + 3)}" font-size="9" fill="${RESIDUAL}">${esc(kind === 'projection' ? '1×1' : kind.replace(/_/g, ' '))}</text>`;
  return `<path d="${d}" fill="none" stroke="${RESIDUAL}" stroke-width="1.6" marker-end="url(#arrow-arc)"/>${label}`;
}

function arrow(id: string, colour: string, size = 7): string {
  return `<marker id="${id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="${size}" markerHeight="${size}" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="${colour}"/></marker>`;
}

/** An orthogonal route with its corners rounded. */
function roundedPath(points: Point[]): string {
  if (points.length === 0) return '';
  const r = 6;
  const parts = [`M ${n1(points[0].x)} ${n1(points[0].y)}`];
  for (let i = 1; i < points.length - 1; i++) {
    const [a, b, c] = [points[i - 1], points[i], points[i + 1]];
    const d1 = Math.min(r, Math.hypot(b.x - a.x, b.y - a.y) / 2);
    const d2 = Math.min(r, Math.hypot(c.x - b.x, c.y - b.y) / 2);
    const towards = (p: Point, q: Point, d: number) => { const len = Math.hypot(q.x - p.x, q.y - p.y) || 1; return { x: p.x + ((q.x - p.x) / len) * d, y: p.y + ((q.y - p.y) / len) * d }; };
    const s = towards(b, a, d1);
    const e = towards(b, c, d2);
    parts.push(`L ${n1(s.x)} ${n1(s.y)} Q ${n1(b.x)} ${n1(b.y)} ${n1(e.x)} ${n1(e.y)}`);
  }
  const last = points[points.length - 1];
  parts.push(`L ${n1(last.x)} ${n1(last.y)}`);
  return parts.join(' ');
}
