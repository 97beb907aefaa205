import { depthFamily } from './depth-family';
import { depthFormula } from './depth-formula';
import { DepthContext, DepthRule } from './depth-rule';
import { depthTable } from './depth-table';

/** The depth rules in the order they run; the first that reports stops the rest (each needs the one before). */
export const depthRules: readonly DepthRule[] = [depthFamily, depthTable, depthFormula];

/** Runs the depth rules; true when none reported. */
export function runDepthRules(ctx: DepthContext): boolean {
  let reported = false;
  const report: DepthContext['report'] = (...args) => {
    reported = true;
    ctx.report(...args);
  };
  for (const rule of depthRules) {
    rule.check({ ...ctx, report });
    if (reported) return false;
  }
  return true;
}
