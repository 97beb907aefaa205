/**
 * `netspec graph`: ELK-laid-out SVG (rendered to PNG with resvg to check it is a real picture), Graphviz dot and
 * HTML. Expected counts come from the architectures: ResNet-50 has 3/4/6/3 bottleneck blocks whose first block of
 * each stage has a 1×1 projection; ResNet-20 has 9 basic blocks, two of them with option-A shortcuts (stages 2, 3).
 */
import { Resvg } from '@resvg/resvg-js';
import { renderGraph } from '../../../src/backends/graph';
import { layoutGraph } from '../../../src/backends/graph/layout';
import { drawGraph } from '../../../src/backends/graph/model';
import { graphOf } from '../../helpers/compile';
import { netspec } from '../../helpers/cli';

const RESIDUAL = 'stroke="#e8590c"';
const count = (text: string, needle: string) => text.split(needle).length - 1;

function png(svg: string) {
  const image = new Resvg(svg, { fitTo: { mode: 'zoom', value: 1 }, font: { loadSystemFonts: false } }).render();
  return { width: image.width, height: image.height, pixels: image.pixels };
}

/** Pixels of the residual orange (#e8590c), within rounding of anti-aliasing. */
function orangePixels(pixels: Buffer): number {
  let n = 0;
  for (let i = 0; i < pixels.length; i += 4) if (Math.abs(pixels[i] - 0xe8) < 12 && Math.abs(pixels[i + 1] - 0x59) < 12 && Math.abs(pixels[i + 2] - 0x0c) < 12) n++;
  return n;
}

test('resnet50 at block level: a box per block, stages framed and labelled, shortcuts drawn', async () => {
  const svg = await renderGraph(graphOf('resnet50'), 'block', 'svg');
  for (const [stage, blocks, shape] of [['layer1', 3, '56×56×256'], ['layer2', 4, '28×28×512'], ['layer3', 6, '14×14×1024'], ['layer4', 3, '7×7×2048']]) {
    expect(svg).toContain(`>${stage} · ${blocks} blocks · ${shape}</text>`);
  }
  expect(count(svg, '<g class="stage">')).toBe(4);
  // 7 stem layers (input, pad, conv, bn, relu, pad, max-pool), 16 blocks, 2 head layers.
  expect(count(svg, '<g class="node">')).toBe(7 + 16 + 2);
  expect(count(svg, '>Bottleneck, stride 2 · ')).toBe(3);
  expect(count(svg, '>1×1</text>')).toBe(4);
  expect(svg).toContain('>layer3.5</text>');
  expect(svg).toContain('>1,120,256 params</text>');
  const image = png(svg);
  expect(image.width).toBeGreaterThan(300);
  expect(image.width).toBeLessThan(1500);
  expect(image.height).toBeGreaterThan(3 * image.width);
  expect(orangePixels(image.pixels)).toBeGreaterThan(1000);
});

test('cifar/resnet20 at layer level: every layer, residual paths in their own colour', async () => {
  const graph = graphOf('cifar/resnet20');
  const svg = await renderGraph(graph, 'layer', 'svg');
  expect(count(svg, '<g class="node">')).toBe(graph.nodes.length);
  for (const s of ['layer1', 'layer2', 'layer3']) expect(svg).toMatch(new RegExp(`>${s} · 3 blocks · `));
  // 7 identity blocks: input → add; 2 option-A blocks: input → SubsamplePad → add.
  expect(count(svg, RESIDUAL)).toBe(7 + 2 * 2);
  expect(count(svg, '>SubsamplePad · ')).toBe(2);
  const image = png(svg);
  expect(image.width).toBeGreaterThan(400);
  expect(image.height).toBeGreaterThan(3000);
  expect(orangePixels(image.pixels)).toBeGreaterThan(1000);
});

test('no two boxes overlap, even for ResNet-152 at block level', async () => {
  for (const [spec, level] of [['resnet152', 'block'], ['cifar/resnet20', 'layer'], ['keras/resnet50v2', 'layer']] as const) {
    const layout = await layoutGraph(drawGraph(graphOf(spec), level));
    const boxes = layout.nodes;
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, b] = [boxes[i], boxes[j]];
        const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
        if (!apart) throw new Error(`${spec}: ${a.node.name} overlaps ${b.node.name}`);
      }
    }
    for (const n of boxes.filter((b) => b.node.stage !== undefined)) {
      const f = layout.stages.find((s) => s.label.startsWith(graphOf(spec).stages[n.node.stage!].name + ' '))!;
      expect(n.x >= f.x && n.x + n.width <= f.x + f.width && n.y >= f.y && n.y + n.height <= f.y + f.height).toBe(true);
    }
  }
});

test('dot has a cluster per stage and an edge per connection; html embeds the svg', async () => {
  const graph = graphOf('cifar/resnet20');
  const dot = await renderGraph(graph, 'layer', 'dot');
  expect(dot).toMatch(/^digraph "resnet20" \{/);
  expect(count(dot, 'subgraph cluster_')).toBe(3);
  const connections = graph.nodes.reduce((a, n) => a + n.inputs.length, 0);
  expect(count(dot, ' -> ')).toBe(connections);
  expect(count(dot, 'color="#e8590c"')).toBe(11);
  const stages = await renderGraph(graph, 'stage', 'dot');
  expect(stages).toContain('"stage1" [label="layer2\\n3 × basic · 16×16×32\\n51,456 params"]');
  const html = await renderGraph(graph, 'block', 'html');
  expect(html).toMatch(/^<!doctype html>[^]*<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^]*<\/svg>\s*<\/body><\/html>\s*$/);
});

test('the CLI writes the file and rejects an unknown level with exit 2', async () => {
  const ok = await netspec('graph', 'cifar/resnet20', '--format', 'dot', '--level', 'stage');
  expect(ok.code).toBe(0);
  expect(ok.stdout).toMatch(/^digraph/);
  const bad = await netspec('graph', 'cifar/resnet20', '--level', 'blocks');
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/'blocks' is invalid[^]*stage, block, layer/);
});
