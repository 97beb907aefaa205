/** Properties every lowered graph has, for every registered built-in. */
import * as fs from 'fs';
import * as path from 'path';
import { builtinNames } from '../../src/spec/builtins';
import { graphOf } from '../helpers/compile';

describe.each(builtinNames())('%s', (name) => {
  const g = graphOf(name);
  test('names are unique and inputs come earlier (topological order)', () => {
    const seen = new Set<string>();
    for (const n of g.nodes) {
      expect(seen.has(n.name)).toBe(false);
      for (const i of n.inputs) expect(seen.has(i)).toBe(true);
      seen.add(n.name);
    }
    for (const o of g.outputs) expect(seen.has(o)).toBe(true);
  });
  test('totals are the sum of the layers; stages and blocks partition the residual layers', () => {
    const sum = g.nodes.reduce((a, n) => a + n.params.trainable + n.params.nonTrainable, 0);
    expect(g.params.total).toBe(sum);
    expect(g.macs).toBe(g.nodes.reduce((a, n) => a + n.macs, 0));
    const inBlocks = g.blocks.flatMap((b) => b.nodes);
    expect(new Set(inBlocks).size).toBe(inBlocks.length);
    expect(inBlocks.length).toBe(g.nodes.filter((n) => n.scope.part === 'block').length);
  });
  test('adds join equal shapes; convs see whole groups', () => {
    const shape = new Map(g.nodes.map((n) => [n.name, n.shape]));
    for (const n of g.nodes) {
      if (n.op === 'add') expect(shape.get(n.inputs[0])).toEqual(shape.get(n.inputs[1]));
      if (n.op === 'conv2d') expect(shape.get(n.inputs[0])![2] % n.attrs.groups).toBe(0);
    }
  });
});

test('src/spec and src/ir do not depend on tfjs', () => {
  const offenders: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/@tensorflow|backends\//.test(fs.readFileSync(p, 'utf8'))) offenders.push(p);
    }
  };
  for (const d of ['spec', 'ir', 'diagnostics']) walk(path.join(__dirname, '..', '..', 'src', d));
  expect(offenders).toEqual([]);
});
