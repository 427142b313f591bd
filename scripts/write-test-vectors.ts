// Regenerates docs/test-vectors/*.json. Run: npx tsx --tsconfig tsconfig.test.json scripts/write-test-vectors.ts
// The vectors are a published interface: change them only with a format version change.
import { writeFileSync } from 'node:fs';
import { makeVectors } from '../packages/ledger/test/vectors.js';
import { makeNegativeVectors } from '../packages/ledger/test/negative-vectors.js';
import { makeLinkVectors } from '../packages/link/test/link-vectors.js';

const write = (name: string, value: unknown) =>
  writeFileSync(
    new URL(`../docs/test-vectors/${name}`, import.meta.url),
    JSON.stringify(value, null, 2) + '\n',
  );
write('ledger-v1.json', makeVectors());
write('negative-v1.json', makeNegativeVectors());
write('link-v1.json', makeLinkVectors());
