/**
 * Child-process entry of `runInChild` (run-in-child.ts): calls one exported function of a module
 * and sends its result back. argv[2] = the module's URL, argv[3] = the export's name.
 */
const [moduleUrl, exportName] = process.argv.slice(2);
const module = (await import(moduleUrl!)) as Record<string, () => Promise<unknown>>;
const run = module[exportName!];
if (typeof run !== 'function') throw new Error(`${moduleUrl} has no export ${exportName}`);
const result = await run();
process.send?.(result, () => process.exit(0));
