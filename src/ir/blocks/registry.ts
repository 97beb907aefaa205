/**
 * The block-kind registry. Every stage looks kinds up here by the spec's name; registering a name twice is an
 * error, not a silent replacement (timm's registry only warns, and the later entry wins).
 */
import { invariant } from '../../diagnostics/diagnostic';
import { BlockKindDescriptor } from './descriptor';
import { builtinBlockKinds } from './kinds';

export class BlockKindRegistry {
  private readonly kinds = new Map<string, BlockKindDescriptor>();

  constructor(entries: readonly BlockKindDescriptor[] = []) {
    for (const e of entries) this.register(e);
  }

  register(kind: BlockKindDescriptor): void {
    invariant(!this.kinds.has(kind.name), `block kind '${kind.name}' is registered twice`);
    invariant(kind.units.length > 0, `block kind '${kind.name}' has no conv units`);
    invariant(Object.values(kind.strideUnit).every((u) => u >= 0 && u < kind.units.length), `block kind '${kind.name}' strides a unit it does not have`);
    invariant(![...this.kinds.values()].some((k) => k.emit.fn === kind.emit.fn), `block kinds share the emitted function ${kind.emit.fn}`);
    this.kinds.set(kind.name, kind);
  }

  /** Unregisters a kind (test-only kinds clean up after themselves). */
  unregister(name: string): void {
    this.kinds.delete(name);
  }

  get(name: string): BlockKindDescriptor {
    const kind = this.kinds.get(name);
    invariant(kind, `block kind '${name}' is not registered`);
    return kind;
  }

  has(name: string): boolean {
    return this.kinds.has(name);
  }

  names(): string[] {
    return [...this.kinds.keys()];
  }
}

/** The registry every stage reads. */
export const blockKinds = new BlockKindRegistry(builtinBlockKinds);
