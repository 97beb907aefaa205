/**
 * Type-checks emitted sources with the project's TypeScript under strict mode, as if they sat in the repository
 * (so `@tensorflow/tfjs` resolves to node_modules), without writing them to disk.
 */
import * as path from 'path';
import * as ts from 'typescript';

const root = path.join(__dirname, '..', '..', '..');

export function typeErrors(sources: Record<string, string>): string[] {
  const files = new Map(Object.entries(sources).map(([k, text]) => [path.join(root, 'emitted-check', `${k}.ts`), text]));
  const options: ts.CompilerOptions = {
    strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10, lib: ['lib.es2022.d.ts'], types: [], skipLibCheck: true, noImplicitOverride: true,
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (f) => files.has(f) || fileExists.call(host, f);
  host.readFile = (f) => files.get(f) ?? readFile.call(host, f);
  host.getSourceFile = (f, v, ...rest) => (files.has(f) ? ts.createSourceFile(f, files.get(f)!, v) : getSourceFile.call(host, f, v, ...rest));
  const program = ts.createProgram([...files.keys()], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${path.basename(d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}
