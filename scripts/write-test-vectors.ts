// Regenerates docs/test-vectors/ledger-v1.json. Run: npx tsx scripts/write-test-vectors.ts
// The vectors are a published interface: change them only with a format version change.
import { writeFileSync } from 'node:fs';
import { makeVectors } from '../packages/ledger/test/vectors.js';

writeFileSync(
  new URL('../docs/test-vectors/ledger-v1.json', import.meta.url),
  JSON.stringify(makeVectors(), null, 2) + '\n',
);
