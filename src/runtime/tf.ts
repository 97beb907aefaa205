/**
 * The one place netspec imports TensorFlow.js from. Every module uses this `tf` so that there is exactly one
 * tfjs-core instance: kernels, gradients and backends registered anywhere are seen everywhere.
 *
 * When `@tensorflow/tfjs-node-gpu` or `@tensorflow/tfjs-node` is installed and loads, its module is used: it
 * re-exports `@tensorflow/tfjs` and adds the native `tensorflow` backend and the `file://` IO handler. Both are
 * optional; most installs (offline, unsupported platforms) fall through to plain `@tensorflow/tfjs`.
 *
 * Types come straight from the package (`import type { Tensor } from '@tensorflow/tfjs'`): type imports are
 * erased at compile time and load nothing.
 */
import type * as tfjs from '@tensorflow/tfjs';

export type Tf = typeof tfjs;

export type TfjsNodePackage = '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node';

const TFJS_NODE_PACKAGES: readonly TfjsNodePackage[] = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'];

interface LoadedTf {
  tf: Tf;
  tfjsNode: TfjsNodePackage | null;
  /** Why each tfjs-node package did not load, for the backend report and for `--backend tensorflow` errors. */
  tfjsNodeErrors: Partial<Record<TfjsNodePackage, string>>;
}

function describeLoadError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'MODULE_NOT_FOUND') return 'not installed';
  return e?.message?.split('\n')[0] ?? String(err);
}

function loadTf(): LoadedTf {
  const tfjsNodeErrors: LoadedTf['tfjsNodeErrors'] = {};
  // NETSPEC_TFJS_NODE=0 keeps an installed tfjs-node from loading (it spawns threads and prints banners).
  if (process.env.NETSPEC_TFJS_NODE !== '0') {
    for (const name of TFJS_NODE_PACKAGES) {
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        return { tf: require(name) as Tf, tfjsNode: name, tfjsNodeErrors };
      } catch (err) {
        tfjsNodeErrors[name] = describeLoadError(err);
      }
    }
  } else {
    for (const name of TFJS_NODE_PACKAGES) tfjsNodeErrors[name] = 'disabled by NETSPEC_TFJS_NODE=0';
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return { tf: require('@tensorflow/tfjs') as Tf, tfjsNode: null, tfjsNodeErrors };
}

const loaded = loadTf();

export const tf: Tf = loaded.tf;

/** The tfjs-node package that provided `tf`, or null when plain `@tensorflow/tfjs` did. */
export const tfjsNode: TfjsNodePackage | null = loaded.tfjsNode;

export const tfjsNodeErrors: Readonly<Partial<Record<TfjsNodePackage, string>>> = loaded.tfjsNodeErrors;
