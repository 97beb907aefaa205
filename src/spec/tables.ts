import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { specsDir } from './builtins';

/** One entry of a depth table: the block kind and blocks per stage. */
export interface DepthEntry {
  block: string;
  blocks: number[];
}

/** depth = layersPerBlock × n × stages + offset, with n blocks in every stage. */
export interface DepthRule {
  block: string;
  layersPerBlock: number;
  offset: number;
}

export interface Family {
  name: string;
  depths?: Map<number, DepthEntry>;
  rule?: DepthRule;
}

let families: Map<string, Family> | undefined;
let conventions: Map<string, Record<string, unknown>> | undefined;

/** specs/families.yaml: the depth tables are data, not code. */
export function familyTable(): Map<string, Family> {
  if (families) return families;
  const raw = parse(fs.readFileSync(path.join(specsDir, 'families.yaml'), 'utf8')) as Record<string, Record<string, unknown>>;
  families = new Map();
  for (const [name, entry] of Object.entries(raw)) {
    const family: Family = { name };
    if (entry.depths) {
      family.depths = new Map(
        Object.entries(entry.depths as Record<string, DepthEntry>).map(([depth, e]) => [Number(depth), e]),
      );
    }
    if (entry.rule) {
      const r = entry.rule as { block: string; layers_per_block: number; offset: number };
      family.rule = { block: r.block, layersPerBlock: r.layers_per_block, offset: r.offset };
    }
    families.set(name, family);
  }
  return families;
}

/** specs/conventions.yaml: framework presets, each a partial spec. */
export function conventionTable(): Map<string, Record<string, unknown>> {
  if (!conventions) {
    const raw = parse(fs.readFileSync(path.join(specsDir, 'conventions.yaml'), 'utf8')) as Record<string, Record<string, unknown>>;
    conventions = new Map(Object.entries(raw));
  }
  return conventions;
}
