import { Role, roleKey, unitOf } from '../roles';
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

/** A role's kind and its conv unit (0 for roles outside a unit). */
export function splitRole(role: Role): { base: Role['kind']; index: number } {
  return { base: role.kind, index: unitOf(role) };
}

export function unknownRole(scheme: string, scope: NodeScope): never {
  throw new Error(`netspec internal error: naming scheme '${scheme}' has no name for ${scope.part} role '${roleKey(scope.role)}'`);
}
