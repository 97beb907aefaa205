/**
 * What netspec sets for its own OpenMP threads stays out of a benchmark peer's environment: loading the addon sets
 * GOMP_SPINCOUNT (when the user has not), and the PyTorch peer must run with libgomp's defaults, as it would alone.
 */
import { loadNativeAddon } from '../../src/runtime/onednn/addon';
import { peerEnvironment } from '../../bench/train-peer';

const userSetting = process.env.GOMP_SPINCOUNT;

test('the peer environment drops GOMP_SPINCOUNT that netspec set, keeps the rest, pins the threads', () => {
  loadNativeAddon();
  const env = peerEnvironment(2);
  expect(env.OMP_NUM_THREADS).toBe('2');
  expect(env.PATH).toBe(process.env.PATH);
  if (userSetting === undefined && process.env.OMP_WAIT_POLICY === undefined) {
    expect(process.env.GOMP_SPINCOUNT).toBe('10000');
    expect(env).not.toHaveProperty('GOMP_SPINCOUNT');
  } else {
    // The user's own setting is theirs, and the peer's too.
    console.warn('GOMP_SPINCOUNT or OMP_WAIT_POLICY set by the user: checking that it is passed on');
    expect(env.GOMP_SPINCOUNT).toBe(userSetting);
  }
});
