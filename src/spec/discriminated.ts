/**
 * Objects whose `type` chooses the other allowed properties (`train.optimizer`, `train.schedule`): written in the
 * schema as `allOf: [{ if: { properties: { type: { const } } }, then, else }]`. Two things need to know the
 * variants: the unknown-property message ('momentum' belongs to sgd, not to adam) and `extends`, where a child that
 * picks another `type` replaces its parent's object instead of merging settings of two optimizers into one.
 */
type Schema = Record<string, unknown>;

export interface Variant {
  value: string;
  properties: string[];
  /** The schemas of those properties (for the reference documentation). */
  schemas: Record<string, Schema>;
}

export interface Discriminated {
  key: string;
  defaultValue?: string;
  /** Properties every variant takes (the key itself excluded). */
  common: string[];
  variants: Variant[];
}

/**
 * Whether writing `value` as the key of an object whose current state is `current` picks another variant (the
 * missing key counts as the default one): the object then starts afresh, whether a child spec or a --set writes it.
 */
export function picksOtherVariant(d: Discriminated, current: Record<string, unknown>, value: unknown): boolean {
  return typeof value === 'string' && value !== (current[d.key] ?? d.defaultValue);
}

export function discriminatedOf(schema: unknown): Discriminated | undefined {
  if (!isSchema(schema) || !Array.isArray(schema.allOf)) return undefined;
  const conditional = (schema.allOf as unknown[]).find((s) => isSchema(s) && isSchema(s.if));
  if (!isSchema(conditional)) return undefined;
  const key = discriminatorKey(conditional.if);
  const keySchema = isSchema(schema.properties) ? (schema.properties as Schema)[key ?? ''] : undefined;
  if (!key || !isSchema(keySchema) || !Array.isArray(keySchema.enum)) return undefined;
  const variants: Variant[] = [];
  let branch: unknown = conditional;
  while (isSchema(branch) && isSchema(branch.if)) {
    variants.push({ value: String(constOf(branch.if, key)), properties: propertyKeys(branch.then), schemas: propertySchemas(branch.then) });
    branch = branch.else;
  }
  const rest = (keySchema.enum as unknown[]).map(String).filter((v) => !variants.some((x) => x.value === v));
  for (const value of rest) variants.push({ value, properties: propertyKeys(branch), schemas: propertySchemas(branch) });
  return {
    key,
    defaultValue: typeof keySchema.default === 'string' ? keySchema.default : undefined,
    common: propertyKeys(schema).filter((k) => k !== key),
    variants,
  };
}

/** The variant a value selects (its own `type`, else the schema default). */
export function variantOf(d: Discriminated, value: unknown): Variant | undefined {
  const chosen = isSchema(value) && typeof value[d.key] === 'string' ? value[d.key] : d.defaultValue;
  return d.variants.find((v) => v.value === chosen);
}

/** Why `property` is not allowed in `value`, when another variant takes it; undefined otherwise. */
export function otherVariantHint(d: Discriminated, value: unknown, property: string): string | undefined {
  const current = variantOf(d, value);
  const owners = d.variants.filter((v) => v !== current && v.properties.includes(property)).map((v) => v.value);
  if (!current || owners.length === 0 || current.properties.includes(property)) return undefined;
  const takes = current.properties.length ? current.properties.join(', ') : 'no settings of its own';
  return `'${property}' is a setting of ${d.key} ${owners.join(' or ')}; ${d.key} ${current.value} takes ${takes}`;
}

/** Properties allowed for `value`: the common ones, the key, and those of its variant. */
export function allowedProperties(d: Discriminated, value: unknown): string[] {
  return [d.key, ...d.common, ...(variantOf(d, value)?.properties ?? [])];
}

function discriminatorKey(condition: unknown): string | undefined {
  const props = isSchema(condition) && isSchema(condition.properties) ? Object.keys(condition.properties) : [];
  return props.length === 1 ? props[0] : undefined;
}

function constOf(condition: unknown, key: string): unknown {
  return ((condition as Schema).properties as Record<string, Schema>)[key].const;
}

function propertySchemas(schema: unknown): Record<string, Schema> {
  return isSchema(schema) && isSchema(schema.properties) ? (schema.properties as Record<string, Schema>) : {};
}

function propertyKeys(schema: unknown): string[] {
  return Object.keys(propertySchemas(schema));
}

function isSchema(v: unknown): v is Schema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
