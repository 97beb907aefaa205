/**
 * The check every built-in goes through: the model built by its module in generated/ against the IR and against
 * the tfjs backend's model of the same graph. Each model is built once per side and disposed after its checks.
 */
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { buildLayersModel } from '../../../src/backends/tfjs';
import { IRGraph } from '../../../src/ir/types';
import { builtinNames } from '../../../src/spec/builtins';
import { graphOf } from '../../helpers/compile';
import { builderOf, graphFacts, layerConfigs, layerFacts, size, sortedFacts, useCpuBackend } from './harness';

const generatedDir = path.join(__dirname, '..', '..', '..', 'generated');

/** Exported parameter totals from ../shared/REFERENCE.md (Keras total, or torch's count = trainable in tfjs). */
export interface ReferenceCounts {
  total?: number;
  trainable?: number;
  nonTrainable?: number;
  /** The paper's rounded size (CIFAR, §4.2), checked to its two significant digits. */
  approxTrainable?: number;
}

/** Which built-ins each test file covers: torchvision's (no folder), Keras applications', and all the others. */
export function builtinGroup(group: 'torchvision' | 'keras' | 'other'): string[] {
  const of = (name: string) => (!name.includes('/') ? 'torchvision' : name.startsWith('keras/') ? 'keras' : 'other');
  return builtinNames().filter((n) => of(n) === group);
}

export function describeBuiltinModels(names: readonly string[], references: Record<string, ReferenceCounts>): void {
  useCpuBackend();

  test('every reference count names a built-in of this group', () => {
    expect(names).toEqual(expect.arrayContaining(Object.keys(references)));
  });

  describe.each(names)('generated/%s.ts', (name) => {
    let graph: IRGraph;
    let emitted: tf.LayersModel;
    let compiled: tf.LayersModel;

    beforeAll(() => {
      graph = graphOf(name);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      emitted = builderOf(require(path.join(generatedDir, name)) as Record<string, unknown>, graph)();
      compiled = buildLayersModel(graph);
    });
    afterAll(() => {
      emitted?.dispose();
      compiled?.dispose();
    });

    test('its model has the IR\'s layers: names, output shapes, trainable and non-trainable parameters', () => {
      expect(sortedFacts(emitted)).toEqual(graphFacts(graph));
      expect(emitted.name).toBe(graph.name);
      expect(emitted.outputs.map((o) => o.shape.slice(1))).toEqual(graph.outputs.map((o) => graph.nodes.find((n) => n.name === o)!.shape));
    });

    test('its model is the compiled one: same layers in the same order, same classes and configs', () => {
      expect(layerFacts(emitted)).toEqual(layerFacts(compiled));
      // JSON drops the keys tfjs leaves undefined, as a saved model.json would.
      expect(JSON.parse(JSON.stringify(layerConfigs(emitted)))).toEqual(JSON.parse(JSON.stringify(layerConfigs(compiled))));
    });

    test('its parameter counts are the published ones', () => {
      const ref = references[name] ?? {};
      const trainable = emitted.trainableWeights.reduce((a, w) => a + size(w), 0);
      if (ref.total !== undefined) expect(emitted.countParams()).toBe(ref.total);
      if (ref.trainable !== undefined) expect(trainable).toBe(ref.trainable);
      if (ref.nonTrainable !== undefined) expect(emitted.countParams() - trainable).toBe(ref.nonTrainable);
      if (ref.approxTrainable !== undefined) expect(Number(trainable.toPrecision(2))).toBe(ref.approxTrainable);
    });
  });
}
