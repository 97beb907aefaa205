/**
 * Weight transfer by name from another tfjs Layers model (e.g. Keras weights converted by the tensorflowjs
 * converter) or from a Keras file (`.h5`, `.weights.h5`, `.keras`: keras-weights/ puts its tensors under the
 * model's names). Weights are matched by their full name, `layer/weight` (`conv1_conv/kernel`,
 * `conv1_bn/moving_mean`), which is what Keras' `load_weights(by_name=True)` uses. Every problem is collected before anything is reported:
 * weights the model has and the file lacks (missing), weights the file has and the model lacks (unexpected), and
 * weights whose shapes differ (mismatched).
 */
import type { LayersModel, NamedTensorMap } from '@tensorflow/tfjs';
import { loadArtifacts, modelFileError, modelJsonPath } from './io/file-handler';
import { isKerasFile, matchKerasWeights, readKerasWeights } from './keras-weights';
import { tf } from '../../runtime/tf';

export interface ShapeMismatch {
  name: string;
  /** Shape in the model being filled. */
  expected: number[];
  /** Shape in the weight file. */
  received: number[];
}

export interface TransferReport {
  source: string;
  /** Weights of the model, in model order. */
  total: number;
  loaded: string[];
  missing: string[];
  unexpected: string[];
  mismatched: ShapeMismatch[];
}

/** Keras (TF) weight names may carry the tensor suffix `:0`; the converter usually strips it, not always. */
function normalise(name: string): string {
  return name.replace(/:\d+$/, '');
}

/** Reads every weight of a tfjs Layers model (model.json path or its directory) by name. */
export async function readWeights(source: string): Promise<NamedTensorMap> {
  const artifacts = await loadArtifacts(modelJsonPath(source));
  if (!artifacts.weightSpecs || artifacts.weightData === undefined) throw modelFileError(`${source} has no weights`);
  const decoded = tf.io.decodeWeights(artifacts.weightData, artifacts.weightSpecs);
  return Object.fromEntries(Object.entries(decoded).map(([name, t]) => [normalise(name), t]));
}

/** A weight file read and checked, ready to give its tensors under the names of a given model. */
export interface WeightSource {
  /** `label` names the file as the transfer report does; for Keras files with its layout and how layers paired. */
  tensorsFor(model: LayersModel): { weights: NamedTensorMap; label: string };
  /** Frees every tensor this source handed out. */
  dispose(): void;
}

/** Reads a tfjs model.json (or its directory) or a Keras file; fails before any model is built. */
export async function openWeights(source: string): Promise<WeightSource> {
  if (isKerasFile(source)) {
    const file = await readKerasWeights(source);
    const label = `${source} (${file.format})`;
    const handedOut: NamedTensorMap[] = [];
    return {
      tensorsFor: (model) => {
        const match = matchKerasWeights(model, file);
        handedOut.push(match.weights);
        return { weights: match.weights, label: `${label}, matched by ${match.by}` };
      },
      dispose: () => handedOut.forEach((w) => tf.dispose(w)),
    };
  }
  const weights = await readWeights(source);
  return { tensorsFor: () => ({ weights, label: modelJsonPath(source) }), dispose: () => tf.dispose(weights) };
}

/** Compares names and shapes; changes nothing. */
export function planTransfer(model: LayersModel, weights: NamedTensorMap, source = '<memory>'): TransferReport {
  const report: TransferReport = { source, total: 0, loaded: [], missing: [], unexpected: [], mismatched: [] };
  const seen = new Set<string>();
  // Layer by layer, so a layer's moving statistics are listed beside its gamma and beta.
  for (const w of model.layers.flatMap((l) => l.weights)) {
    const name = w.originalName;
    report.total++;
    seen.add(name);
    const t = weights[name];
    if (t === undefined) report.missing.push(name);
    else if (!sameShape(w.shape as number[], t.shape)) report.mismatched.push({ name, expected: w.shape as number[], received: t.shape });
    else report.loaded.push(name);
  }
  report.unexpected = Object.keys(weights).filter((n) => !seen.has(n));
  return report;
}

/** Writes the weights the report lists as loaded into the model. */
export function applyTransfer(model: LayersModel, weights: NamedTensorMap, report: TransferReport): void {
  const loaded = new Set(report.loaded);
  for (const w of model.weights) if (loaded.has(w.originalName)) w.write(weights[w.originalName]);
}

export function isComplete(report: TransferReport): boolean {
  return report.missing.length === 0 && report.mismatched.length === 0;
}

export interface TransferOptions {
  /** Load the matching weights even when some are missing or mismatched (torch's strict=False). */
  allowPartial?: boolean;
}

/**
 * Plans and, unless the transfer is incomplete and `allowPartial` is off, applies it. Either way the full report
 * comes back; `applied` says whether the model changed.
 */
export async function transferWeights(model: LayersModel, source: string, opts: TransferOptions = {}): Promise<TransferReport & { applied: boolean }> {
  const opened = await openWeights(source);
  try {
    const named = opened.tensorsFor(model);
    return transferFrom(model, named.weights, named.label, opts);
  } finally {
    opened.dispose();
  }
}

/** `transferWeights` for weights already read (the caller keeps ownership of the tensors). */
export function transferFrom(model: LayersModel, weights: NamedTensorMap, source: string, opts: TransferOptions = {}): TransferReport & { applied: boolean } {
  const report = planTransfer(model, weights, source);
  const applied = isComplete(report) || !!opts.allowPartial;
  if (applied) applyTransfer(model, weights, report);
  return { ...report, applied };
}

export const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/** `['a/kernel', 'a/bias', 'b/gamma']` → `['a: kernel, bias', 'b: gamma']`, keeping first-seen order. */
function byLayer(names: string[]): string[] {
  const groups = new Map<string, string[]>();
  for (const name of names) {
    const cut = name.lastIndexOf('/');
    const layer = cut < 0 ? name : name.slice(0, cut);
    groups.set(layer, [...(groups.get(layer) ?? []), cut < 0 ? '' : name.slice(cut + 1)]);
  }
  // torch names (`layer1.0.bn1.running_var`) have no '/': they are listed whole.
  return [...groups].map(([layer, weights]) => (weights.every((w) => w === '') ? layer : `${layer}: ${weights.join(', ')}`));
}

/** The report as a user reads it: counts first, then every problem, grouped by layer (up to `limit` lines each). */
export function formatTransferReport(report: TransferReport, limit = 40): string {
  const lines = [`loaded ${report.loaded.length} of ${report.total} weights from ${report.source}`];
  const list = (title: string, count: number, items: string[]) => {
    if (items.length === 0) return;
    lines.push(`${title} (${count} weights):`);
    for (const item of items.slice(0, limit)) lines.push(`  ${item}`);
    if (items.length > limit) lines.push(`  … and ${items.length - limit} more layers`);
  };
  list('missing from the file', report.missing.length, byLayer(report.missing));
  list('shape mismatch, model vs file', report.mismatched.length, report.mismatched.map((m) => `${m.name}: [${m.expected.join(', ')}] vs [${m.received.join(', ')}]`));
  list('unexpected in the file (ignored)', report.unexpected.length, byLayer(report.unexpected));
  return lines.join('\n') + '\n';
}
