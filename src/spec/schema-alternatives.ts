import type { ErrorObject } from 'ajv/dist/2020';

interface Alternative {
  error: ErrorObject;
  /** Errors inside each branch, by branch index. */
  branches: Map<string, ErrorObject[]>;
  fitting: Set<string>;
}

/**
 * A failed `oneOf` reports every branch's complaint. Branches whose type does not fit the value are noise; the
 * errors of a branch that fits (an unknown key inside the object form, a misspelt enum value) are what the user
 * needs. When no branch fits, one "expected A or B" message replaces the lot. Linear in the number of errors: each
 * error finds its enclosing alternatives by lookup (a 20,000-item list took over a minute with list scans).
 */
export function collapseAlternatives(errors: ErrorObject[]): ErrorObject[] {
  const alternatives = new Map<string, Alternative>();
  for (const e of errors) if (isAlternative(e)) alternatives.set(alternativeKey(e.schemaPath, e.instancePath), { error: e, branches: new Map(), fitting: new Set() });
  const enclosing = new Map<ErrorObject, { alt: Alternative; branch: string }[]>();
  for (const e of errors) {
    const found = enclosingAlternatives(e, alternatives);
    enclosing.set(e, found);
    for (const { alt, branch } of found) {
      const list = alt.branches.get(branch);
      if (list) list.push(e);
      else alt.branches.set(branch, [e]);
    }
  }
  for (const alt of alternatives.values()) {
    for (const [branch, errs] of alt.branches) {
      if (!errs.some((e) => e.instancePath === alt.error.instancePath && wrongKind(e))) alt.fitting.add(branch);
    }
  }
  return errors.filter((e) => {
    if (isPropertyNamePattern(e)) return false;
    if (enclosing.get(e)!.some(({ alt, branch }) => !alt.fitting.has(branch))) return false;
    return !isAlternative(e) || alternatives.get(alternativeKey(e.schemaPath, e.instancePath))!.fitting.size === 0;
  });
}

/**
 * A branch of another kind than the value: a type mismatch, or a constant (or a list of constants) of another type
 * (`random` or `uniform` for a list).
 */
function wrongKind(e: ErrorObject): boolean {
  if (e.keyword === 'type') return true;
  if (e.keyword === 'enum') return (e.params as { allowedValues: unknown[] }).allowedValues.every((v) => typeof v !== typeof e.data);
  return e.keyword === 'const' && typeof (e.params as { allowedValue: unknown }).allowedValue !== typeof e.data;
}

function isAlternative(e: ErrorObject): boolean {
  return e.keyword === 'oneOf' || e.keyword === 'anyOf';
}

function alternativeKey(schemaPath: string, instancePath: string): string {
  return `${schemaPath}\u0000${instancePath}`;
}

/** The alternatives an error sits in: a `oneOf/N/` step in its schema path, at or above its instance. */
function enclosingAlternatives(e: ErrorObject, alternatives: Map<string, Alternative>): { alt: Alternative; branch: string }[] {
  if (alternatives.size === 0) return [];
  const found: { alt: Alternative; branch: string }[] = [];
  const steps = e.schemaPath.split('/');
  const instances = instancePrefixes(e.instancePath);
  for (let i = 0; i + 1 < steps.length; i++) {
    if ((steps[i] !== 'oneOf' && steps[i] !== 'anyOf') || !/^\d+$/.test(steps[i + 1])) continue;
    const schemaPrefix = steps.slice(0, i + 1).join('/');
    for (const instance of instances) {
      const alt = alternatives.get(alternativeKey(schemaPrefix, instance));
      if (alt && alt.error !== e) found.push({ alt, branch: steps[i + 1] });
    }
  }
  return found;
}

function instancePrefixes(pointer: string): string[] {
  const out = [''];
  let at = pointer.indexOf('/', 1);
  while (at > 0) {
    out.push(pointer.slice(0, at));
    at = pointer.indexOf('/', at + 1);
  }
  if (pointer) out.push(pointer);
  return out;
}

/** ajv reports a bad property name twice (the pattern, then propertyNames); the second says which key. */
function isPropertyNamePattern(e: ErrorObject): boolean {
  return e.keyword === 'pattern' && e.schemaPath.includes('/propertyNames/');
}
