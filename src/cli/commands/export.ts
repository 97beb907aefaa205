/**
 * `netspec export <spec|run|model.json> --format onnx|safetensors`: the model as ONNX, built from the IR and the
 * weights, or its weights as a torch state dict (torch module names; loads with strict=True into the emitted module).
 * A spec exports with its initial weights; a run directory with its trained ones (`spec.yaml` + `model/`); a
 * model.json written by `netspec compile` with its own, its spec taken from the file's netspec metadata.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Command, InvalidArgumentError } from 'commander';
import type { LayersModel } from '@tensorflow/tfjs';
import { stringify } from 'yaml';
import type { OnnxLayout } from '../../backends/onnx';
import { OPSETS as OPSET } from '../../backends/onnx/opsets';
import { environmentError } from '../../diagnostics/environment';
import { writeFileAtomic } from '../../io/atomic';
import { packageVersion } from '../../io/package-root';
import { isRunDir, RUN_FILES } from '../../train/run-dir';
import { usageError } from '../errors';
import { CHECKPOINT_FLAG, CHECKPOINT_HELP } from '../options';
import { ALLOW_PATH_FLAG, ALLOW_PATH_HELP, collectSets, loadGraph } from '../load';

const FORMATS = ['onnx', 'safetensors'] as const;
const LAYOUTS: readonly OnnxLayout[] = ['nhwc', 'nchw'];

interface ExportOptions {
  format: string;
  out: string;
  opset: number;
  layout: string;
  inference?: boolean;
  set: string[];
  allowPath: string[];
  checkpoint?: string;
}

function opsetArg(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < OPSET.min || n > OPSET.max) throw new InvalidArgumentError(`expected an opset from ${OPSET.min} to ${OPSET.max}`);
  return n;
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('write the model in another format: ONNX (explicit pads, metadata with the spec and its sha256) or a torch state dict as safetensors')
    .argument('<model>', 'built-in name or spec file (initial weights), run directory, or model.json from netspec compile')
    .requiredOption('--out <file>', 'file to write, e.g. model.onnx or model.safetensors')
    .option('--format <format>', `output format: ${FORMATS.join(', ')}`, 'onnx')
    .option('--opset <n>', `ONNX opset (${OPSET.min}–${OPSET.max})`, opsetArg, OPSET.default)
    .option('--layout <layout>', 'input layout: nhwc (as the tfjs model) or nchw (as torchvision)', 'nhwc')
    .option('--inference', 'ONNX: fold each batch norm into the convolution before it (same outputs)')
    .option('--set <key=value>', 'override a field of a spec (repeatable)', collectSets, [])
    .option(ALLOW_PATH_FLAG, ALLOW_PATH_HELP, collectSets, [])
    .option(CHECKPOINT_FLAG, CHECKPOINT_HELP)
    .action((ref: string, opts: ExportOptions) => exportModel(ref, opts));
}

/** Where the spec and the weights come from. */
interface Source {
  spec: string;
  sets: string[];
  modelPath?: string;
  runDir?: string;
}

function modelJsonOf(ref: string): string | undefined {
  if (ref.toLowerCase().endsWith('.json')) return ref;
  const inDir = path.join(ref, 'model.json');
  return fs.existsSync(inDir) ? inDir : undefined;
}

function sourceOf(ref: string, sets: string[]): Source {
  if (fs.existsSync(ref) && fs.statSync(ref).isDirectory() && isRunDir(ref)) {
    return { spec: path.join(ref, RUN_FILES.spec), sets, modelPath: path.join(ref, RUN_FILES.model), runDir: ref };
  }
  const json = modelJsonOf(ref);
  return json === undefined ? { spec: ref, sets } : { spec: '', sets, modelPath: json };
}

async function exportModel(ref: string, opts: ExportOptions): Promise<void> {
  if (!(FORMATS as readonly string[]).includes(opts.format)) throw usageError(`--format ${opts.format} is not supported`, `formats: ${FORMATS.join(', ')}`);
  if (!LAYOUTS.includes(opts.layout as OnnxLayout)) throw usageError(`--layout ${opts.layout} is not one of ${LAYOUTS.join(', ')}`);
  const [{ selectBackend }, tfjs, { inferenceModel }, onnx, checkpoints] = await Promise.all([
    import('../../runtime/backend'), import('../../backends/tfjs'), import('../../backends/tfjs/inference'), import('../../backends/onnx'),
    import('../../train/checkpoint-choice'),
  ]);
  await selectBackend({ backend: 'auto' });
  const source = sourceOf(ref, opts.set);
  const checkpointFile = opts.checkpoint === undefined ? undefined : checkpoints.checkpointFile(opts.checkpoint, source.runDir);
  let loaded: LayersModel | undefined;
  if (source.modelPath !== undefined) {
    loaded = await tfjs.loadModel(source.modelPath);
    if (source.spec === '') Object.assign(source, specFromMetadata(loaded, source.modelPath));
  }
  const { graph, result } = loadGraph(source.spec, source.sets, opts.allowPath);
  const built = loaded ?? tfjs.buildLayersModel(graph);
  // A checkpoint's weights replace the model's: a run's trained ones, or a spec's initial ones.
  const fromCheckpoint = checkpointFile === undefined ? undefined : checkpoints.describeCheckpoint(checkpoints.loadCheckpointInto(built, checkpointFile));
  const weightsFrom = fromCheckpoint ?? (loaded ? source.modelPath : undefined);
  if (opts.format === 'safetensors') {
    if (opts.inference) throw usageError('--inference applies to ONNX only', 'a state dict keeps the batch norms, as torch modules have them');
    try {
      const { exportSafetensors } = await import('../../backends/pytorch/export-safetensors');
      const written = exportSafetensors(built, graph, opts.out);
      process.stdout.write(`wrote ${opts.out}: ${written.tensors} tensors (${(written.bytes / 1e6).toFixed(1)} MB), torch module names` +
        `${weightsFrom ? `, weights from ${weightsFrom}` : ', initial weights (export a run directory or model.json for trained ones)'}\n`);
    } catch (e) {
      throw environmentError(e, 'cannot write the state dict') ?? e;
    } finally {
      built.dispose();
    }
    return;
  }
  const model = opts.inference ? inferenceModel(built) : built;
  try {
    const specText = stringify(result.raw);
    const version = packageVersion;
    const bytes = onnx.exportOnnx(graph, model, {
      opset: opts.opset,
      layout: opts.layout as OnnxLayout,
      producerVersion: version,
      metadata: {
        'netspec.spec': specText,
        'netspec.spec_sha256': createHash('sha256').update(specText).digest('hex'),
        'netspec.version': version,
        'netspec.layout': opts.layout,
        'netspec.weights': weightsFrom ? `from ${weightsFrom}` : 'initial (untrained)',
      },
    });
    await writeFileAtomic(opts.out, bytes).catch((e) => { throw environmentError(e, 'cannot write the ONNX model') ?? e; });
    process.stdout.write(`wrote ${opts.out}: ONNX opset ${opts.opset}, ${opts.layout.toUpperCase()} input, ${(bytes.length / 1e6).toFixed(1)} MB` +
      `${weightsFrom ? `, weights from ${weightsFrom}` : ', initial weights (export a run directory or model.json for trained ones)'}\n`);
  } finally {
    if (model !== built) model.dispose();
    built.dispose();
  }
}

/** The spec a model.json was compiled from, as `netspec compile` records it. */
function specFromMetadata(model: LayersModel, file: string): Pick<Source, 'spec' | 'sets'> {
  const meta = (model.getUserDefinedMetadata() as { netspec?: { spec?: unknown; sets?: unknown } } | undefined)?.netspec;
  if (typeof meta?.spec !== 'string') {
    throw usageError(`${file} does not say which spec it was built from (no netspec metadata)`,
      'export the spec itself, or a model.json written by `netspec compile` or `netspec train`');
  }
  return { spec: meta.spec, sets: Array.isArray(meta.sets) ? meta.sets.map(String) : [] };
}
