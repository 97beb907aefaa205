/**
 * netspec as a dependency: `npm pack` output installed into a fresh project, used through `require('netspec')`
 * with its types and through its `netspec` binary. Expected counts are torchvision's (../shared/REFERENCE.md).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// The native install step's own oneDNN header search (plain JavaScript, outside the TypeScript project): the test
// expects a built addon exactly where installing builds one.
const { oneDnnIncludeDir } = require('../../native/scripts/onednn-headers') as { oneDnnIncludeDir: () => string | undefined };

const root = path.join(__dirname, '..', '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-pack-'));
const project = path.join(work, 'project');
const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

beforeAll(() => {
  // dist/ is already built (`npm test` builds it first); pack what it holds, as `npm publish` would.
  const tarball = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work], root);
  const file = path.join(work, (JSON.parse(tarball) as { filename: string }[])[0].filename);
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
  npm(['install', file, '--prefer-offline', '--no-audit', '--no-fund'], project);
}, 10 * 60 * 1000);

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

test('the tarball ships the library, the CLI, specs and data, and no tests or benchmarks', () => {
  const installed = path.join(project, 'node_modules', 'netspec');
  for (const f of ['dist/src/index.js', 'dist/src/index.d.ts', 'bin/netspec.js', 'specs/resnet50.yaml', 'data/fashion-mnist-small']) {
    expect(fs.existsSync(path.join(installed, f))).toBe(true);
  }
  expect(fs.existsSync(path.join(installed, 'test'))).toBe(false);
  expect(fs.existsSync(path.join(installed, 'dist', 'bench'))).toBe(false);
});

const oneDnnHeaders = oneDnnIncludeDir() !== undefined;
if (!oneDnnHeaders) console.warn('pack.test: oneDNN headers absent (apt-get install libdnnl-dev): the tarball\'s addon build is not checked');

test('the tarball ships the native kernels\' sources, and installing it builds them where oneDNN is present', () => {
  const native = path.join(project, 'node_modules', 'netspec', 'native');
  for (const f of ['package.json', 'binding.gyp', 'index.js', 'scripts/install.js', 'scripts/onednn-headers.js', 'src/addon.cc', 'src/conv.cc']) {
    expect(fs.existsSync(path.join(native, f))).toBe(true);
  }
  if (!oneDnnHeaders) return;
  const script = "const a = require('netspec-native'); console.log(JSON.stringify(a.info()))";
  const info = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: project, encoding: 'utf8' }));
  expect(info.version).toMatch(/^\d+\.\d+\.\d+$/);
  const bin = path.join(project, 'node_modules', '.bin', 'netspec');
  const out = execFileSync(bin, ['train', '--epochs', '1', '--limit', '256', '--backend', 'onednn', '--out', path.join(work, 'run')],
    { cwd: project, encoding: 'utf8' });
  expect(out).toMatch(/^backend: .*oneDNN/m);
}, 120_000);

test("require('netspec') compiles a spec to the IR with torchvision's counts", () => {
  const script = `const n = require('netspec');
const r = n.compileSpec('resnet50');
const bad = n.compileSpecText('netspec: 1\\nname: x\\ndepth: 51\\n', 'x.yaml');
console.log(JSON.stringify({ trainable: r.graph.params.trainable, macs: r.graph.macs, bad: bad.diagnostics.map((d) => n.renderDiagnosticLine(d)) }));`;
  const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: project, encoding: 'utf8' }));
  expect(out.trainable).toBe(25_557_032);
  expect(out.macs / 1e9).toBeCloseTo(4.089, 3);
  expect(out.bad.length).toBeGreaterThan(0);
  expect(out.bad[0]).toMatch(/^x\.yaml:\d+:\d+: error: /);
});

test('the types come with the package: correct use compiles, wrong use is a type error', () => {
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  fs.writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, module: 'commonjs', moduleResolution: 'node', target: 'ES2022', noEmit: true, skipLibCheck: true, types: [] },
    include: ['*.ts'],
  }));
  fs.writeFileSync(path.join(project, 'use.ts'), `import { compileSpec, IRGraph, Diagnostic, renderDiagnostic } from 'netspec';
const r = compileSpec('resnet18');
const g: IRGraph | undefined = r.graph;
const d: Diagnostic[] = r.diagnostics;
const total: number = g ? g.params.total : 0;
export const lines: string[] = d.map((x) => renderDiagnostic(x, r.sources));
export { total };
`);
  expect(() => execFileSync(process.execPath, [tsc, '-p', project], { cwd: project, encoding: 'utf8' })).not.toThrow();
  fs.writeFileSync(path.join(project, 'use.ts'), `import { compileSpec } from 'netspec';
export const name: number = compileSpec('resnet18').graph!.name;
`);
  let output = '';
  try {
    execFileSync(process.execPath, [tsc, '-p', project], { cwd: project, encoding: 'utf8' });
  } catch (e) {
    output = (e as { stdout: string }).stdout;
  }
  expect(output).toMatch(/use\.ts\(2,14\): error TS2322: Type 'string' is not assignable to type 'number'/);
});

test('the installed binary inspects a built-in and rejects a typo with exit 2', () => {
  const bin = path.join(project, 'node_modules', '.bin', 'netspec');
  expect(execFileSync(bin, ['inspect', 'resnet18'], { cwd: project, encoding: 'utf8' })).toMatch(/^Trainable params: 11,689,512$/m);
  let code = 0;
  try {
    execFileSync(bin, ['validate', 'resnet19'], { cwd: project, encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    code = (e as { status: number }).status;
  }
  expect(code).toBe(2);
});
