/**
 * Checks of a model.json's weights manifest, which tfjs trusts: a hand-edited or hostile manifest (a shape that is
 * not a list of sizes, weight files shorter than the shapes need, a path outside the model's folder) would otherwise
 * fail deep inside tfjs with a RangeError or TypeError, or read any file on the machine as weights.
 */
import * as path from 'path';
import type { io } from '@tensorflow/tfjs';
import { DiagnosticError, userError } from '../../../diagnostics/diagnostic';

type Group = io.WeightsManifestConfig[number];

/** A model file that is missing, unreadable or malformed: the user's problem, reported without a stack. */
export function modelFileError(message: string, hint?: string): DiagnosticError {
  return userError('model-file/invalid', message, { hint });
}

/** Bytes per element of each weight dtype a tfjs manifest may name (uncompressed; strings have no fixed size). */
const DTYPE_BYTES: Readonly<Record<string, number>> = { float32: 4, int32: 4, bool: 1, complex64: 8 };

const invalid = (jsonPath: string, problem: string) =>
  modelFileError(`${jsonPath}: ${problem}`, 'give the model.json written by `netspec compile` or by the tensorflowjs converter');

const isSize = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 0;

/** Every group lists file names and weights with a name, a dtype and a shape of non-negative whole numbers. */
export function checkManifest(manifest: unknown[], jsonPath: string): void {
  manifest.forEach((g, i) => {
    const group = g as Partial<Group> | null;
    if (!group || !Array.isArray(group.paths) || !group.paths.every((p) => typeof p === 'string') || !Array.isArray(group.weights)) {
      throw invalid(jsonPath, `weightsManifest[${i}] needs 'paths' (file names) and 'weights'`);
    }
    group.weights.forEach((w, j) => {
      const where = `weightsManifest[${i}].weights[${j}]`;
      if (!w || typeof w.name !== 'string' || typeof w.dtype !== 'string') throw invalid(jsonPath, `${where} needs a 'name' and a 'dtype'`);
      if (!Array.isArray(w.shape) || !w.shape.every(isSize)) {
        throw invalid(jsonPath, `${where} ('${w.name}') has shape ${JSON.stringify(w.shape)}; expected a list of non-negative whole numbers`);
      }
      if (!w.quantization && !(w.dtype in DTYPE_BYTES) && w.dtype !== 'string') {
        throw invalid(jsonPath, `${where} ('${w.name}') has dtype '${w.dtype}'; expected one of ${Object.keys(DTYPE_BYTES).join(', ')}, string`);
      }
    });
  });
}

/** A weight file named by the manifest, which must stay inside the model's folder (the converter writes bare names). */
export function weightFilePath(dir: string, file: string, jsonPath: string): string {
  const resolved = path.resolve(dir, file);
  const rel = path.relative(path.resolve(dir), resolved);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
    throw invalid(jsonPath, `weight file '${file}' is outside the model's folder ${dir}`);
  }
  return resolved;
}

/**
 * tfjs slices a group's concatenated files by the manifest's shapes; files shorter than the shapes need would fail
 * deep inside tfjs with a RangeError. Say which files are short, by how much, before that.
 */
export function checkGroupSize(group: Group, found: number, jsonPath: string): void {
  let expected = 0;
  for (const w of group.weights) {
    const perElement = DTYPE_BYTES[w.dtype];
    if (w.quantization || perElement === undefined) return; // sizes tfjs works out itself
    expected += perElement * w.shape.reduce((a: number, b: number) => a * b, 1);
  }
  if (found < expected) {
    throw modelFileError(`${group.paths.join(', ')} (listed in ${jsonPath}): ${found} bytes, but the manifest's ` +
      `${group.weights.length} weights need ${expected} (file truncated?)`, 'copy the weight files again, or write the model again with `netspec compile`');
  }
}
