/**
 * Stock-tfjs loading for the tests: models saved by netspec, served over HTTP, loaded by plain @tensorflow/tfjs in
 * a process (Node) or page (Chromium) that never imports netspec.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import type { AddressInfo } from 'net';
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import { inferenceModel } from '../../../../src/backends/tfjs/inference';
import { loadModel, saveModel } from '../../../../src/backends/tfjs/load';
import { tf } from '../../../../src/runtime/tf';
import { IRGraph } from '../../../../src/ir/types';
import { build, randomInput, randomizeWeights } from './models';

/** The published tfjs bundles, as a user's page or program gets them. */
export const TFJS_PACKAGE = path.dirname(require.resolve('@tensorflow/tfjs/package.json'));
export const TFJS_UMD = path.join(TFJS_PACKAGE, 'dist', 'tf.min.js');

export interface StockCase {
  /** Directory name under the served root, e.g. `cifar_resnet20-inference`. */
  id: string;
  shape: number[];
  input: number[];
  /** What netspec itself predicts after loading the same files. */
  expected: number[][];
  /** Whether the model uses a layer class stock tfjs lacks (from the IR: option A, a grouped conv, attention, drop-path). */
  needsLayers: boolean;
}

export function usesCustomLayers(graph: IRGraph): boolean {
  return graph.nodes.some((n) => n.op === 'subsample_pad' || n.op === 'channel_conv' || n.op === 'drop_path'
    || (n.op === 'global_pool' && n.attrs.keepDims) || (n.op === 'conv2d' && n.attrs.groups > 1));
}

const predictAll = (model: LayersModel, x: Tensor): number[][] =>
  ([model.predict(x)].flat() as Tensor[]).map((t) => Array.from(t.dataSync()));

/**
 * Saves `graph` with seeded random weights under `root/<id>` and `root/<id>-inference`, and records what netspec
 * predicts for one seeded input after loading each back. The kernels are drawn from a seed too (the spec's, else 1):
 * the outputs' spread between classes, which the tests require as non-vacuity, is then the same on every run.
 * `randomize: false` keeps the spec's own initial weights (where random BN statistics would overflow float32).
 */
export async function saveCases(root: string, id: string, graph: IRGraph, { randomize = true } = {}): Promise<StockCase[]> {
  const model = build(withSeed(graph));
  if (randomize) randomizeWeights(model);
  const folded = inferenceModel(model);
  const x = randomInput(graph, 1);
  const cases: StockCase[] = [];
  for (const [suffix, m] of [['', model], ['-inference', folded]] as const) {
    const dir = path.join(root, id + suffix);
    await saveModel(m, dir);
    const loaded = await loadModel(dir);
    cases.push({ id: id + suffix, shape: x.shape, input: Array.from(x.dataSync()), expected: predictAll(loaded, x), needsLayers: usesCustomLayers(graph) });
    loaded.dispose();
  }
  model.dispose();
  folded.dispose();
  x.dispose();
  return cases;
}

function withSeed(graph: IRGraph): IRGraph {
  const { initializer } = graph.settings;
  return { ...graph, settings: { ...graph.settings, initializer: { ...initializer, seed: initializer.seed ?? 1 } } };
}

/** Largest |a − b| over the largest |b|, over all outputs. */
export function relativeError(actual: number[][], expected: number[][]): number {
  expect(actual.map((a) => a.length)).toEqual(expected.map((e) => e.length));
  let diff = 0;
  let scale = 0;
  expected.forEach((e, i) => e.forEach((v, j) => {
    diff = Math.max(diff, Math.abs(actual[i][j] - v));
    scale = Math.max(scale, Math.abs(v));
  }));
  return diff / scale;
}

const MIME: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.json': 'application/json' };

/** A static file server over `root`, plus `/tf.min.js`; resolves to its base URL. */
export async function serve(root: string, pages: Record<string, string> = {}): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const url = decodeURIComponent((req.url ?? '/').split('?')[0]);
    const file = url === '/tf.min.js' ? TFJS_UMD : path.join(root, path.normalize(url));
    if (pages[url] !== undefined) {
      res.writeHead(200, { 'content-type': 'text/html' }).end(pages[url]);
    } else if (file.startsWith(root) || file === TFJS_UMD) {
      fs.readFile(file, (err, data) => {
        if (err) res.writeHead(404).end();
        else res.writeHead(200, { 'content-type': MIME[path.extname(file)] ?? 'application/octet-stream' }).end(data);
      });
    } else {
      res.writeHead(403).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export { tf };
