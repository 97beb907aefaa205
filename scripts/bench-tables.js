#!/usr/bin/env node
// Renders the speed tables of the README and docs/speed.md from one `npm run bench -- --json` output:
//   npm run -s bench -- --suite train,resnet50 --json > bench.json && node scripts/bench-tables.js bench.json
'use strict';
const fs = require('fs');

const rows = JSON.parse(fs.readFileSync(process.argv[2] ?? 0, 'utf8'));
const BACKENDS = { onednn: 'onednn', 'wasm+onednn': 'wasm + oneDNN', wasm: 'wasm, portable kernels', cpu: 'cpu (stock tfjs)' };
const peers = [...new Set(rows.filter((r) => /^pytorch /.test(r.peer ?? '')).map((r) => r.peer))].sort().reverse();
const peerName = (p) => `PyTorch ${p.replace(/^pytorch /, '').replace(/(\d+\.\d+).*/, '$1')}`;

const fmt = (x) => (x === undefined ? '' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const ratio = (x) => (x === undefined ? '' : `${x.toFixed(2)}×`);
const line = (cells) => `| ${cells.join(' | ')} |`;
const find = (c, backend, threads, peer) => rows.find((r) => r.case === c && r.backend === backend && r.threads === threads && r.peer === peer)
  ?? rows.find((r) => r.case === c && r.backend === backend && r.threads === threads && peer === undefined);

function resnet20() {
  const out = [line(['backend', 'threads', ...['train', 'inference'].flatMap((k) => [`${k} img/s`, ...peers.flatMap((p) => [peerName(p), 'ratio'])])])];
  out.push(line(out[0].split('|').slice(1, -1).map(() => '---')));
  const seen = new Set();
  for (const r of rows.filter((r) => /^resnet20 (train|inference) bs64$/.test(r.case))) {
    const key = `${r.backend} ${r.threads}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const cells = [BACKENDS[r.backend] ?? r.backend, String(r.threads)];
    for (const kind of ['train', 'inference']) {
      const mine = rows.filter((x) => x.case === `resnet20 ${kind} bs64` && x.backend === r.backend && x.threads === r.threads);
      cells.push(mine.length ? fmt(mine[0].value) : '—');
      for (const p of peers) {
        const m = mine.find((x) => x.peer === p);
        cells.push(m ? fmt(m.peerValue) : '', m ? ratio(m.ratio) : '');
      }
    }
    out.push(line(cells));
  }
  return out.join('\n');
}

function resnet50() {
  const cases = [...new Set(rows.filter((r) => /^resnet50 224² /.test(r.case) && r.unit === 'img/s').map((r) => r.case))];
  if (cases.length === 0) return '';
  const head = ['ResNet-50 224², 2 threads', 'onednn img/s', ...peers.flatMap((p) => [peerName(p), 'ratio']), 'onednn peak RSS', ...peers.map(peerName)];
  const out = [line(head), line(head.map(() => '---'))];
  for (const c of cases) {
    const speed = rows.filter((r) => r.case === c && r.unit === 'img/s');
    const rss = rows.filter((r) => r.case === `${c} peak RSS`);
    const label = c.replace(/^resnet50 224² /, '').replace(/^(train bs\d+)$/, '$1 (Adam)').replace(/^(\w+) (bs\d+)/, '$1 $2');
    const cells = [label, fmt(speed[0].value)];
    for (const p of peers) {
      const m = speed.find((x) => x.peer === p);
      cells.push(m ? fmt(m.peerValue) : '', m ? ratio(m.ratio) : '');
    }
    cells.push(rss.length ? `${Math.round(rss[0].value)} MB` : '');
    for (const p of peers) {
      const m = rss.find((x) => x.peer === p);
      cells.push(m ? `${Math.round(m.peerValue)} MB` : '');
    }
    out.push(line(cells));
  }
  return out.join('\n');
}

process.stdout.write(`${resnet20()}\n\n${resnet50()}\n`);
