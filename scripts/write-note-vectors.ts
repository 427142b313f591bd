// Regenerates docs/test-vectors/signed-note-v1.json. Run: npx tsx scripts/write-note-vectors.ts
// The vectors are a published interface: change them only with a format version change.
import { readFileSync, writeFileSync } from 'node:fs';
import { makeNoteVectors } from '../packages/ledger/test/note-vectors.js';

const ledger = JSON.parse(
  readFileSync(new URL('../docs/test-vectors/ledger-v1.json', import.meta.url), 'utf8'),
) as { station: string; entries: { merkle_leaf_hash: string }[] };

writeFileSync(
  new URL('../docs/test-vectors/signed-note-v1.json', import.meta.url),
  JSON.stringify(
    makeNoteVectors(
      ledger.station,
      ledger.entries.map((e) => e.merkle_leaf_hash),
    ),
    null,
    2,
  ) + '\n',
);
