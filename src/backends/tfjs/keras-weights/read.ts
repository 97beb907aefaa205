/**
 * Reads the weights of a Keras file into one neutral form: the file's layers, in the file's order, each with its
 * weights in Keras' order (kernel, bias; gamma, beta, moving_mean, moving_variance), the order tfjs uses too.
 *
 * Layouts, told apart by content rather than by file name:
 * - Keras 2 HDF5 (`model.save('m.h5')`, `save_weights('m.h5')`, the keras.applications downloads): a root attribute
 *   `layer_names` (under `model_weights/` in whole-model files) in model order; each layer group has `weight_names`,
 *   paths relative to the group (`conv1_conv/kernel:0`).
 * - Keras 3 `.weights.h5`: `layers/<key>/vars/0, 1, …`, where the key is the class name in snake case numbered in
 *   model order (`conv2d_3`) and the `vars` group's `name` attribute holds the layer's own name (Keras ≥ 3.1;
 *   3.0 wrote `_layer_checkpoint_dependencies/<layer name>/vars`).
 * - Keras 3 `.keras`: a zip holding `model.weights.h5` (the layout above) beside `config.json`.
 */
import * as fs from 'fs';
import { unzipSync } from 'fflate';
import { environmentError } from '../../../diagnostics/environment';
import { modelFileError } from '../io/file-handler';
import { H5Dataset, H5Group, isDataset, isGroup, withHdf5 } from './hdf5';

export interface KerasWeight {
  /** `kernel`, `gamma`, …, or the position (`0`, `1`) where the file keeps no names. */
  name: string;
  shape: number[];
  values: Float32Array;
}
export interface KerasLayer {
  name: string;
  weights: KerasWeight[];
}
export interface KerasWeightFile {
  format: 'Keras 2 HDF5' | 'Keras 3 .weights.h5' | 'Keras 3 .keras archive';
  /** Layers that have weights, in the model order the file records. */
  layers: KerasLayer[];
}

const HDF5_MAGIC = [0x89, 0x48, 0x44, 0x46];
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const startsWith = (bytes: Uint8Array, magic: number[]) => magic.every((b, i) => bytes[i] === b);

/** True for the files this module reads: `.h5`, `.hdf5`, `.weights.h5`, `.keras`. */
export function isKerasFile(file: string): boolean {
  return /\.(h5|hdf5|keras)$/i.test(file);
}

export async function readKerasWeights(file: string): Promise<KerasWeightFile> {
  let bytes: Uint8Array;
  try {
    bytes = await fs.promises.readFile(file);
  } catch (e) {
    throw environmentError(e, `cannot read ${file}`) ?? e;
  }
  if (startsWith(bytes, ZIP_MAGIC)) return { format: 'Keras 3 .keras archive', layers: (await readHdf5(archiveWeights(bytes, file), file)).layers };
  if (startsWith(bytes, HDF5_MAGIC)) return readHdf5(bytes, file);
  throw modelFileError(`${file} is neither an HDF5 file nor a .keras archive`, 'give a file written by Keras: model.save(), model.save_weights() or a keras.applications download');
}

function archiveWeights(bytes: Uint8Array, file: string): Uint8Array {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, { filter: (f) => f.name === 'model.weights.h5' });
  } catch (e) {
    throw modelFileError(`${file} is not a readable .keras archive: ${(e as Error).message}`);
  }
  const weights = entries['model.weights.h5'];
  if (!weights) throw modelFileError(`${file} has no model.weights.h5 inside`, 'a .keras archive written by model.save() holds config.json and model.weights.h5');
  return weights;
}

function readHdf5(bytes: Uint8Array, file: string): Promise<KerasWeightFile> {
  return withHdf5(bytes, file, (root) => {
    const whole = root.get('model_weights');
    const keras2 = isGroup(whole) && 'layer_names' in whole.attrs ? whole : 'layer_names' in root.attrs ? root : undefined;
    if (keras2) return { format: 'Keras 2 HDF5' as const, layers: keras2Layers(keras2, file) };
    for (const key of ['layers', '_layer_checkpoint_dependencies']) {
      const layers = root.get(key);
      if (isGroup(layers)) return { format: 'Keras 3 .weights.h5' as const, layers: keras3Layers(layers, file) };
    }
    throw modelFileError(`${file} is HDF5 but holds no Keras weights (no layer_names attribute, no layers/ group)`,
      'give a file written by Keras: model.save(), model.save_weights() or a keras.applications download');
  });
}

function keras2Layers(group: H5Group, file: string): KerasLayer[] {
  const layers = new Map<string, KerasLayer>();
  for (const layerName of strings(group.attrs.layer_names.value)) {
    const layer = group.get(layerName);
    if (!isGroup(layer)) throw modelFileError(`${file}: layer_names lists ${layerName}, which has no group`);
    // A nested model keeps all its layers' weights in one group, trainable ones first (a batch norm's gamma and
    // beta apart from its moving statistics); the path says whose each weight is.
    for (const path of strings(layer.attrs.weight_names?.value ?? [])) {
      const parts = path.replace(/:\d+$/, '').split('/');
      const owner = parts.length > 1 ? parts[parts.length - 2] : layerName;
      const weight = dataset(layer.get(path), `${layerName}/${path}`, file);
      if (!layers.has(owner)) layers.set(owner, { name: owner, weights: [] });
      layers.get(owner)!.weights.push({ name: parts[parts.length - 1], ...weight });
    }
  }
  return [...layers.values()];
}

/** A model nested in the model (a backbone used as a layer) keeps its own `layers/` group: its layers follow it. */
function keras3Layers(group: H5Group, file: string, layers: KerasLayer[] = []): KerasLayer[] {
  for (const key of group.keys().sort(byModelOrder)) {
    const vars = group.get(`${key}/vars`);
    const count = isGroup(vars) ? vars.keys().length : 0;
    if (isGroup(vars) && count > 0) {
      const weights = Array.from({ length: count }, (_, i) => ({ name: String(i), ...dataset(vars.get(String(i)), `${key}/vars/${i}`, file) }));
      const own = vars.attrs.name?.value;
      layers.push({ name: typeof own === 'string' && own !== '' ? own : key, weights });
    }
    const inner = group.get(`${key}/layers`);
    if (isGroup(inner)) keras3Layers(inner, file, layers);
  }
  return layers;
}

/** `conv2d` < `conv2d_1` < `conv2d_2` < `conv2d_10`: Keras 3 numbers each class's layers in model order. */
function byModelOrder(a: string, b: string): number {
  const split = (k: string) => { const m = /^(.*?)(?:_(\d+))?$/.exec(k)!; return [m[1], m[2] === undefined ? 0 : Number(m[2]) + 1] as const; };
  const [pa, na] = split(a);
  const [pb, nb] = split(b);
  return pa < pb ? -1 : pa > pb ? 1 : na - nb;
}

function dataset(node: H5Group | H5Dataset | null, where: string, file: string): { shape: number[]; values: Float32Array } {
  if (!isDataset(node)) throw modelFileError(`${file}: ${where} is not a dataset`);
  const value = node.value;
  const values = value instanceof Float32Array ? value : ArrayBuffer.isView(value) ? Float32Array.from(value as unknown as ArrayLike<number>) : undefined;
  if (!values) throw modelFileError(`${file}: ${where} does not hold numbers`);
  return { shape: node.shape ?? [], values };
}

function strings(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  // h5py writes an empty name list as an attribute h5wasm reads back as one empty string.
  return list.map((v) => (v instanceof Uint8Array ? new TextDecoder().decode(v) : String(v))).filter((v) => v !== '');
}
