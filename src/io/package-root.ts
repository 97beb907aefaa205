import * as fs from 'fs';
import * as path from 'path';

/**
 * The folder of netspec's own package.json, found by walking up from this module: the same answer whether the code
 * runs from `src/` (tests), `dist/src/` (the build) or an installed package. specs/, data/ and bench/ sit there.
 */
function findPackageRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === 'netspec') return dir;
    if (path.dirname(dir) === dir) throw new Error(`netspec internal error: no netspec package.json above ${__dirname}`);
  }
}

export const packageRoot: string = findPackageRoot();

export const packageVersion: string = (JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
