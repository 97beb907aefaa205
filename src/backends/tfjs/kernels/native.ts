/** Placeholder until the oneDNN kernels land: reports them as unavailable. */
export function tryRegisterNativeKernels(opts: { threads: number }): { ok: boolean; reason?: string } {
  void opts;
  return { ok: false, reason: 'not built' };
}
