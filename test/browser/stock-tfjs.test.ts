/**
 * Models saved by netspec load in a web page with stock tfjs (the published tf.min.js) and predict what netspec
 * predicts after loading the same files, |Δ| ≤ 1e-5 relative: one of each kind — option-A shortcuts through the
 * UMD script (cifar/resnet20, and the default `netspec train` model fashion/resnet8), grouped convs through the ES
 * module (a ResNeXt), frozen batch norms (cifar/resnet20 with two frozen stages) — plain and --inference. Headless Chromium
 * (Debian's `chromium`, scripts/ci/browser.sh) driven by playwright-core; the page uses tfjs' cpu backend, the
 * backend netspec's side of the comparison runs on too.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { chromium } from 'playwright-core';
import { graphOf, graphOfText } from '../backends/tfjs/support/models';
import { relativeError, saveCases, serve, StockCase, tf } from '../backends/tfjs/support/stock';

const CHROMIUM = process.env.NETSPEC_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run'];

const resnext = `
netspec: 1
name: resnext-small
convention: torchvision
input: [32, 32, 3]
block: bottleneck
stem: { filters: 16, kernel: 3, stride: 1 }
stages:
  - { blocks: 1, filters: [16, 16, 32], stride: 2, groups: 4 }
  - { blocks: 1, filters: [32, 32, 64], stride: 2, groups: 8 }
head: { pooling: avg, classes: 10 }
`;

let root: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-browser-'));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

type PageCase = StockCase & { esm: boolean };

/**
 * Runs in the page: registers the model's layers (UMD script or ES module), loads, predicts. Plain JavaScript text,
 * not a compiled function: the test's compiler would turn the dynamic `import()` into a `require`.
 */
const IN_PAGE = `async (cases) => {
  await tf.setBackend('cpu');
  const out = {};
  for (const c of cases) {
    if (c.needsLayers && c.esm) {
      (await import('/' + c.id + '/netspec-layers.js')).registerNetspecLayers(tf);
    } else if (c.needsLayers) {
      await new Promise((resolve, reject) => {
        const s = document.createElement('script');
        s.src = '/' + c.id + '/netspec-layers.umd.js';
        s.onload = resolve;
        s.onerror = reject;
        document.head.appendChild(s);
      });
    }
    const model = await tf.loadLayersModel('/' + c.id + '/model.json');
    out[c.id] = [model.predict(tf.tensor(c.input, c.shape))].flat().map((t) => Array.from(t.dataSync()));
  }
  return out;
}`;

const available = fs.existsSync(CHROMIUM);

test('stock tfjs in headless Chromium loads each kind of netspec model and predicts what netspec predicts', async () => {
  if (!available) {
    console.warn(`browser test not run: no Chromium at ${CHROMIUM} (scripts/ci/browser.sh installs Debian's chromium)`);
    expect(fs.existsSync(CHROMIUM)).toBe(false);
    return;
  }
  const cases: PageCase[] = [];
  const add = async (id: string, graph: ReturnType<typeof graphOf>, esm: boolean) => {
    for (const c of await saveCases(root, id, graph)) cases.push({ ...c, esm });
  };
  await add('resnet20', graphOf('cifar/resnet20'), false);
  await add('fashion-resnet8', graphOf('fashion/resnet8'), false);
  await add('resnext', graphOfText(resnext), true);
  await add('resnet20-frozen', graphOf('cifar/resnet20', ['frozen_stages=2']), false);
  expect(cases.filter((c) => !c.needsLayers)).toEqual([]);

  const server = await serve(root, { '/': '<!doctype html><html><head><script src="/tf.min.js"></script></head><body></body></html>' });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/`);
    const results = await page.evaluate(`(${IN_PAGE})(${JSON.stringify(cases)})`) as Record<string, number[][]>;
    expect(errors).toEqual([]);
    for (const c of cases) {
      const e = relativeError(results[c.id], c.expected);
      expect({ id: c.id, ok: e <= 1e-5 }).toEqual({ id: c.id, ok: true });
    }
    // Non-vacuity: real class probabilities, not a constant.
    for (const c of cases) expect(Math.max(...c.expected[0]) - Math.min(...c.expected[0])).toBeGreaterThan(1e-4);
  } finally {
    await browser.close();
    await server.close();
  }
});
