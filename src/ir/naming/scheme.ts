import { invariant } from '../../diagnostics/diagnostic';
import { Role, roleKey, unitOf } from '../roles';
import { NodeScope } from '../types';

/** Facts about the network that some naming schemes need beyond a node's own scope. */
export interface NamingContext {
  classes: number;
  blocksPerStage: number[];
  deepStem: boolean;
  isPreact(stage: number, block: number): boolean;
}

/**
 * Turns a node's scope into its layer name. Schemes may keep counters (Keras' auto-named layers). With `blockId`, a
 * block layer is named around that id instead of its own (`conv2_block1`, `layer1.0`, `2a`): the TypeScript
 * emitter asks for names around a placeholder to write them as templates of the block function's parameter.
 */
export type Namer = (scope: NodeScope, blockId?: string) => string;

export type NamingFactory = (ctx: NamingContext) => Namer;

/** A role's kind and its conv unit (0 for roles outside a unit). */
export function splitRole(role: Role): { base: Role['kind']; index: number } {
  return { base: role.kind, index: unitOf(role) };
}

/** A registry bug (every scheme names every role a block kind declares), never bad input. */
export function unknownRole(scheme: string, scope: NodeScope): never {
  invariant(false, `naming scheme '${scheme}' has no name for ${scope.part} role '${roleKey(scope.role)}'`);
}
