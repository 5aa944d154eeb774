import { expectReadmeRuns } from '@armor/test-utils';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

it('every README code block type-checks under strict nodenext and runs', async () => {
  const [usage] = await expectReadmeRuns(fileURLToPath(new URL('..', import.meta.url)), { blocks: 1 });
  expect(usage).toContain('true\ntenant\n[ \'name\', \'status\' ]\nForbidden\n| role |');
}, 180_000);
