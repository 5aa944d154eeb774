import { expectReadmeRuns } from '@armor/test-utils';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

it('every README code block type-checks under strict nodenext and runs', async () => {
  const outputs = await expectReadmeRuns(fileURLToPath(new URL('..', import.meta.url)), { blocks: 2 });
  expect(outputs[0]).toContain('true 1 []');
  expect(outputs[1]).toContain('true');
}, 180_000);
