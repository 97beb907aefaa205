/** One measurement of `netspec bench`; the `--json` contract. */
export interface BenchRow {
  case: string;
  backend: string;
  threads: number;
  unit: string;
  value: number;
  /** What the value is compared against in the same run (a hand-written model, PyTorch, a target). */
  peer?: string;
  peerValue?: number;
  /** value / peerValue: for times below 1 is faster than the peer, for throughputs above 1 is. */
  ratio?: number;
}

/** A group of benchmarks `netspec bench --suite` can select. */
export interface BenchSuite {
  name: string;
  description: string;
  run(options: { threads?: number; quick?: boolean }): Promise<BenchRow[]>;
}
