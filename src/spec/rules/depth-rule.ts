import { Family } from '../tables';

/**
 * What a depth rule sees. Depth rules run before the others, on the files and `--set` as written: `depth:` picks
 * the blocks per stage that every later step (presets, schema defaults, semantic rules) then takes as given.
 */
export interface DepthContext {
  depth: number;
  familyName?: string;
  /** The family's table entry, when `familyName` names one. */
  family?: Family;
  /** Stages the spec lists itself, if any. */
  stageCount?: number;
  /** Reports at `/depth` or `/family`, located where that field was written. */
  report(code: string, message: string, pointer: '/depth' | '/family', hint?: string): void;
}

export interface DepthRule {
  /** Diagnostics are `semantic/<id>`. */
  id: string;
  description: string;
  check(ctx: DepthContext): void;
}
