import * as fs from 'fs';
import * as path from 'path';
import { Command } from 'commander';
import type { BackendChoice } from '../../runtime/backend';
import { EXIT_INTERNAL } from '../../diagnostics/diagnostic';
import { environmentError } from '../../diagnostics/environment';
import { IRGraph } from '../../ir/types';
import { isRunDir, RUN_FILES } from '../../train/run-dir';
import { usageError } from '../errors';
import { formatCount } from '../format';
import { ALLOW_PATH_FLAG, ALLOW_PATH_HELP, collectSets, loadGraph } from '../load';
import { backendChoice, BACKEND_CHOICES, CHECKPOINT_FLAG, CHECKPOINT_HELP } from '../options';

/** tfjs loads only when a command needs it, so `list`, `validate` and `inspect` stay fast. */
const loadBackend = () => Promise.all([import('../../runtime/backend'), import('../../backends/tfjs'), import('../../train/initial-weights')]);

interface CompileOptions {
  out: string;
  set: string[];
  allowPath: string[];
  weights?: string;
  allowPartial?: boolean;
  backend: BackendChoice;
  inference?: boolean;
  checkpoint?: string;
}

export function registerCompile(program: Command): void {
  program
    .command('compile')
    .description('build the tfjs model of a spec and write it in tfjs Layers format (model.json + weights.bin)')
    .argument('<spec>', 'built-in name (see `netspec list`) or spec file')
    .requiredOption('--out <dir>', 'directory to write model.json and weights.bin into (created if missing)')
    .option('--set <key=value>', 'override a field, e.g. --set head.classes=10 (repeatable)', collectSets, [])
    .option(ALLOW_PATH_FLAG, ALLOW_PATH_HELP, collectSets, [])
    .option('--weights <file>', 'load weights by name: a tfjs model.json, a Keras file (.h5, .weights.h5, .keras), a torch state dict (.safetensors), a netspec checkpoint (.ckpt) or a run directory (its model/, or --checkpoint)')
    .option(CHECKPOINT_FLAG, `with --weights <run-dir>: ${CHECKPOINT_HELP}`)
    .option('--allow-partial', 'with --weights: write the model even when some weights are missing or have other shapes')
    .option('--backend <name>', `compute backend: ${BACKEND_CHOICES.join(', ')}`, backendChoice, 'auto')
    .option('--inference', 'write the inference model: batch norm folded into the convolutions, ReLU fused (same outputs)')
    .action((ref: string, opts: CompileOptions) => compile(ref, opts));
}

async function compile(ref: string, opts: CompileOptions): Promise<void> {
  checkOutDir(opts.out);
  const { graph } = loadGraph(ref, opts.set, opts.allowPath);
  const [{ selectBackend }, tfjs, initial] = await loadBackend();
  if (opts.weights !== undefined) initial.checkKerasInput(graph, opts.weights);
  const backend = await selectBackend({ backend: opts.backend });
  process.stdout.write(`backend: ${backend.name} — ${backend.description}\n`);
  const weights = opts.weights === undefined && opts.checkpoint === undefined ? undefined
    : await initial.openInitialWeights(graph, opts.weights, opts.checkpoint).catch((e) => { throw asCliError(e); });
  const model = tfjs.buildLayersModel(graph);
  let layers = graph.nodes.length;
  try {
    if (weights !== undefined) {
      const report = weights.apply(model, !!opts.allowPartial);
      process.stdout.write(tfjs.formatTransferReport(report));
      if (!report.applied) throw initial.incompleteTransfer(report, weights.source, 'nothing written');
    }
    const written = opts.inference ? (await import('../../backends/tfjs/inference')).inferenceModel(model) : model;
    written.setUserDefinedMetadata({ netspec: { spec: ref, sets: opts.set, name: graph.name, ...(opts.inference ? { inference: true } : {}) } });
    await tfjs.saveModel(written, opts.out);
    layers = written.layers.length;
    if (written !== model) written.dispose();
  } catch (e) {
    throw asCliError(e);
  } finally {
    model.dispose();
    weights?.dispose();
  }
  const p = graph.params;
  process.stdout.write(`wrote ${path.join(opts.out, tfjs.MODEL_JSON)} and ${tfjs.WEIGHTS_BIN}: ${layers} layers` +
    (opts.inference ? ' (batch norm folded into the convolutions for inference)\n' :
      `, ${formatCount(p.total)} parameters (${formatCount(p.trainable)} trainable, ${formatCount(p.nonTrainable)} non-trainable)\n`));
  const layerModules = [tfjs.LAYER_MODULE_ESM, tfjs.LAYER_MODULE_UMD].filter((f) => fs.existsSync(path.join(opts.out, f)));
  if (layerModules.length > 0) {
    process.stdout.write(`and ${layerModules.join(' + ')}: the custom layers, for loading with stock tfjs (see the README)\n`);
  }
}

function checkOutDir(out: string): void {
  if (fs.existsSync(out) && !fs.statSync(out).isDirectory()) {
    throw usageError(`--out ${out} is a file, not a directory`, 'give a directory; model.json and weights.bin go inside it');
  }
}

/** Unwritable output directories are the user's to fix: one line, no stack. */
function asCliError(e: unknown): unknown {
  return environmentError(e, 'cannot write the model') ?? e;
}

/**
 * `netspec inspect --verify`: builds the model on the automatically chosen backend and compares every layer's output
 * shape and parameter counts with the IR. A difference is a netspec bug, hence exit 1.
 */
export async function verifyBuild(graph: IRGraph): Promise<void> {
  const [{ selectBackend }, tfjs] = await loadBackend();
  const backend = await selectBackend({ backend: 'auto' });
  process.stdout.write(`backend: ${backend.name} — ${backend.description}\n`);
  const report = tfjs.verifyGraph(graph);
  process.stdout.write(tfjs.formatVerifyReport(report));
  if (!report.ok) process.exitCode = EXIT_INTERNAL;
}
