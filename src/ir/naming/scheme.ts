import { invariant } from '../../diagnostics/diagnostic';
import { NodeScope } from '../types';

/** Facts about the network that some naming schemes need beyond a node's own scope. */
export interface NamingContext {
  classes: number;
  blocksPerStage: number[];
  deepStem: boolean;
  isPreact(stage: number, block: number): boolean;
}

/** Turns a node's scope into its layer name. Schemes may keep counters (Keras' auto-named layers). */
export type Namer = (scope: NodeScope) => string;

export type NamingFactory = (ctx: NamingContext) => Namer;

/** `conv2` → { base: 'conv', index: 2 }. */
export function splitRole(role: string): { base: string; index: number } {
  const m = /^([a-z_]+?)(\d+)$/.exec(role);
  return m ? { base: m[1], index: Number(m[2]) } : { base: role, index: 0 };
}

/** A registry bug (every scheme names every role a block kind declares), never bad input. */
export function unknownRole(scheme: string, scope: NodeScope): never {
  invariant(false, `naming scheme '${scheme}' has no name for ${scope.part} role '${scope.role}'`);
}
