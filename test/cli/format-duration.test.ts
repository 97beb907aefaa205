import { formatDuration } from '../../src/cli/format';

test('wall times read as people say them: seconds under a minute, minutes above', () => {
  expect(formatDuration(1234)).toBe('1.2 s');
  expect(formatDuration(59_949)).toBe('59.9 s');
  expect(formatDuration(60_000)).toBe('1.0 min');
  expect(formatDuration(78_000)).toBe('1.3 min');
});
