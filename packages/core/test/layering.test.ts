import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';

const root = fileURLToPath(new URL('../../../', import.meta.url));

// The layering rule (STYLE.md §9) is a lint error, and lint is part of CI: a pure package that
// imports I/O, a server or a database fails the build.
describe('pure packages cannot import I/O', () => {
  const eslint = new ESLint({ cwd: root });
  const lint = async (file: string, code: string) => {
    const [result] = await eslint.lintText(code, { filePath: `${root}${file}` });
    return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports');
  };

  for (const pkg of ['core', 'ledger', 'geo']) {
    for (const mod of [
      'node:fs',
      'fs/promises',
      'node:net',
      'node:http',
      'node:child_process',
      'better-sqlite3',
      'pg',
      'fastify',
      '@parley/store',
    ]) {
      it(`${pkg} may not import ${mod}`, async () => {
        const messages = await lint(
          `packages/${pkg}/src/probe.ts`,
          `import x from '${mod}';\nexport const y = x;\n`,
        );
        expect(messages.length).toBe(1);
        expect(messages[0]!.severity).toBe(2);
      });
    }
    it(`${pkg} may import node:crypto (computation, not I/O)`, async () => {
      expect(
        await lint(
          `packages/${pkg}/src/probe.ts`,
          `import { createHash } from 'node:crypto';\nexport const h = createHash;\n`,
        ),
      ).toEqual([]);
    });
  }

  it('I/O packages may import node:fs', async () => {
    expect(
      await lint(
        'packages/store/src/probe.ts',
        `import { readFile } from 'node:fs/promises';\nexport const r = readFile;\n`,
      ),
    ).toEqual([]);
  });
});
