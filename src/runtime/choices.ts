/** The `--backend` values. A module of its own, free of tfjs, so that parsing options does not load a backend. */
export type BackendChoice = 'tensorflow' | 'onednn' | 'wasm' | 'cpu' | 'auto';

export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'tensorflow', 'onednn', 'wasm', 'cpu'];
