/**
 * Property tests over malformed specs and --set values (fast-check). Each case runs through compileSpecText, the
 * function behind `netspec validate`, and must satisfy `judge` (test/fuzz/harness.ts). A handful more run through
 * the real CLI. `npm run fuzz -- --runs 5000` runs any number; a failure prints the seed to replay it.
 */
import { execFileSync } from 'child_process';
import fc from 'fast-check';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { specsDir } from '../../src/spec/builtins';
import { judge, params } from './harness';

const seeds = ['resnet18.yaml', 'cifar/resnet20.yaml', 'fashion/resnet8.yaml']
  .map((f) => path.join(specsDir, f))
  .filter((f) => fs.existsSync(f))
  .map((f) => fs.readFileSync(f, 'utf8'));

const yamlChars = fc.constantFrom(...':-[]{},&*!|>\'"#%@ \t\n0123456789abcz._~'.split(''));
const hostileNumbers = ['.nan', '.inf', '-.inf', '1e400', '-1', '0', '99999999999', '1.5', '"12"', 'null', '[]', '{}'];
const keys = ['stages', 'stage', 'block', 'blocks', 'filters', 'depth', 'input', 'head', 'train', 'optimizer', 'schedule',
  'milestones', 'momentum', 'type', '__proto__', 'constructor', 'prototype', 'extends', 'x', 'base_width', 'groups', '0', '3'];

/** One edit of a valid spec's text. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.string({ unit: yamlChars, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ kind: fc.constant('number' as const), at: fc.nat(), text: fc.constantFrom(...hostileNumbers) }),
  fc.record({ kind: fc.constant('line' as const), at: fc.nat(), text: fc.constantFrom(...keys).map((k) => `${k}: ${k === 'extends' ? '/etc/passwd' : '{__proto__: {x: 1}}'}`) }),
);

interface Edit {
  kind: 'insert' | 'delete' | 'number' | 'line';
  at: number;
  text?: string;
  length?: number;
}

function mutate(text: string, edits: Edit[]): string {
  let out = text;
  for (const e of edits) {
    const at = e.at % (out.length + 1);
    if (e.kind === 'insert') out = out.slice(0, at) + e.text + out.slice(at);
    else if (e.kind === 'delete') out = out.slice(0, at) + out.slice(at + (e.length ?? 1));
    else if (e.kind === 'number') {
      const numbers = [...out.matchAll(/\b\d+(\.\d+)?\b/g)];
      if (numbers.length) {
        const m = numbers[at % numbers.length];
        out = out.slice(0, m.index) + e.text + out.slice(m.index! + m[0].length);
      }
    } else {
      const lines = out.split('\n');
      lines.splice(at % (lines.length + 1), 0, e.text!);
      out = lines.join('\n');
    }
  }
  return out;
}

/** A YAML value of a wrong or hostile kind, written as text. */
const value: fc.Arbitrary<string> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(...hostileNumbers, 'yes', "'text'", '~', '&a 1', '*a', '!!binary aGk='),
    fc.integer().map(String),
    fc.array(tie('v') as fc.Arbitrary<string>, { maxLength: 4 }).map((xs) => `[${xs.join(', ')}]`),
    fc.array(fc.tuple(fc.constantFrom(...keys), tie('v') as fc.Arbitrary<string>), { maxLength: 4 }).map((kv) => `{${kv.map(([k, v]) => `${k}: ${v}`).join(', ')}}`),
  ),
})).v;

const hugeList = fc.tuple(fc.integer({ min: 1000, max: 9000 }), fc.constantFrom('1', 'x', '.nan', '[1]')).map(([n, item]) => `[${Array(n).fill(item).join(', ')}]`);
const deep = fc.integer({ min: 60, max: 3000 }).map((n) => '['.repeat(n) + ']'.repeat(n));

describe('malformed specs', () => {
  test('mutations of built-in specs', () => {
    fc.assert(fc.property(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 4 }), (seed, edits) => {
      judge(mutate(seed, edits));
    }), params());
  });

  test('wrong types, unknown and prototype keys, huge lists, deep nesting at any field', () => {
    const field = fc.array(fc.constantFrom(...keys), { minLength: 1, maxLength: 4 });
    fc.assert(fc.property(field, fc.oneof(value, hugeList, deep), (names, v) => {
      // A flow mapping nested along the path: `stages: {0: {filters: <v>}}`.
      const [first, ...rest] = names;
      judge(`netspec: 1\nextends: resnet18\n${first}: ${rest.reduceRight((inner, k) => `{${k}: ${inner}}`, v)}\n`);
    }), params());
  });

  test('bad extends', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-fuzz-'));
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'secret-line-1\nsecret-line-2\n');
    const target = fc.oneof(
      fc.constantFrom('/etc/passwd', '/etc/shadow', '/proc/self/environ', '/dev/zero', '../../etc/passwd', './notes.txt', './missing.yaml', '.', '/', 'resnet5O', 'base/../resnet18', '~/x.yaml', './fuzz.yaml'),
      fc.string({ unit: yamlChars, maxLength: 12 }).map((s) => JSON.stringify(s)),
      value,
    );
    fc.assert(fc.property(target, (t) => {
      const { report } = judge(`netspec: 1\nextends: ${t}\n`, [], dir);
      if (/secret-line|root:/.test(report)) throw new Error(`report quotes a file outside the spec:\n${report}`);
    }), params());
  });
});

describe('--set values', () => {
  const segment = fc.oneof(fc.constantFrom(...keys), fc.nat({ max: 2_000_000 }).map(String), fc.constant(''));
  const arg = fc.tuple(fc.array(segment, { minLength: 1, maxLength: 5 }), fc.oneof(value, fc.constant(''))).map(([p, v]) => `${p.join('.')}=${v}`);
  test('any path and value, alone or together', () => {
    fc.assert(fc.property(fc.array(fc.oneof(arg, fc.string({ unit: yamlChars, maxLength: 12 })), { minLength: 1, maxLength: 3 }), (sets) => {
      judge('netspec: 1\nextends: resnet18\n', sets);
    }), params());
  });
});

describe('through the real CLI', () => {
  const cli = path.join(__dirname, '..', '..', 'bin', 'netspec.js');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-fuzz-cli-'));
  const cases: [string, string[]][] = [
    ['netspec: 1\nextends: resnet18\ntrain: {optimizer: {__proto__: {beta1: 0.5}}}\n', []],
    ['netspec: 1\nextends: /etc/passwd\n', []],
    ['netspec: 1\nextends: resnet18\n', ['__proto__.x=1']],
    ['netspec: 1\nextends: resnet18\n', ['input.1000000=3', 'stage.3.blocks=4']],
    ['netspec: 1\nextends: resnet18\nhead: {dropout: .nan}\n', []],
  ];
  test.each(cases.map((c, i) => [i, ...c] as const))('case %i exits 2 with a located line and no stack', (i, text, sets) => {
    const file = path.join(dir, `case${i}.yaml`);
    fs.writeFileSync(file, text);
    let status = 0;
    let stdout = '';
    let stderr = '';
    try {
      execFileSync(process.execPath, [cli, 'validate', file, ...sets.flatMap((s) => ['--set', s])], { encoding: 'utf8', stdio: 'pipe', timeout: 10000 });
    } catch (e) {
      ({ status, stdout, stderr } = e as { status: number; stdout: string; stderr: string });
    }
    expect(status).toBe(2);
    expect(stdout).toMatch(new RegExp(`^(${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}|<command line>):\\d+:\\d+: error: `, 'm'));
    expect(stderr).not.toMatch(/\n\s+at |internal error/);
    expect(stdout).not.toContain('root:');
  });
});
