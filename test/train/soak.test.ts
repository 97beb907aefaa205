/**
 * The short version of the kill-9 soak (`npm run soak` runs the long one): fashion/resnet8 on 64 synthetic images,
 * SGD with momentum and a multistep schedule, and Adam with warm-up and a per-step cosine; three SIGKILLs each, at
 * random times and in the middle of writes; after `netspec train --resume --out RUN` the run must equal an
 * uninterrupted one bit for bit, with every artifact consistent (see scripts/soak-resume.js for the checks).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { soak } = require('../../scripts/soak-resume.js') as {
  soak(o: object): Promise<{ name: string; kills: Record<string, number>; runs: number; problems: string[] }[]>;
};

test('killed at random points, resumed with --resume --out alone, the run equals an uninterrupted one', async () => {
  const started = Date.now();
  const results = await soak({ kills: 3, seed: 1, recipes: ['momentum-multistep', 'adam-warmup-cosine'], epochs: 2, quiet: true });
  console.log(`soak: ${((Date.now() - started) / 1000).toFixed(0)} s; ${results.map((r) => `${r.name}: ${JSON.stringify(r.kills)}`).join('; ')}`);
  expect(results.map((r) => [r.name, r.problems])).toEqual([['momentum-multistep', []], ['adam-warmup-cosine', []]]);
  const kinds = results.flatMap((r) => Object.keys(r.kills));
  // Not vacuous: processes were really killed, both in the middle of a write and at a random time.
  expect(kinds.some((k) => k.startsWith('during '))).toBe(true);
  expect(kinds).toContain('at a random time');
  for (const r of results) expect(r.runs).toBeGreaterThanOrEqual(1);
});
