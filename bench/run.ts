// `npm run bench -- <name> [options]`: runs one benchmark (or all with no name).
const benches: Record<string, () => Promise<{ run: (args: string[]) => Promise<void> }>> = {
  ais: () => import('./ais.js'),
  console: () => import('./console.js'),
  ledger: () => import('./ledger.js'),
  link: () => import('./link.js'),
  notices: () => import('./notices.js'),
  screen: () => import('./screen.js'),
};

const [name, ...rest] = process.argv.slice(2);
const names = name && !name.startsWith('-') ? [name] : Object.keys(benches);
for (const n of names) {
  const load = benches[n];
  if (!load) {
    console.error(`unknown benchmark ${n}; known: ${Object.keys(benches).join(', ')}`);
    process.exit(2);
  }
  await (await load()).run(name && !name.startsWith('-') ? rest : process.argv.slice(2));
}
