/**
 * Child-process entry that runs one suite and sends its result back (see run-in-child.ts):
 *   argv[2] = the suite module's URL, argv[3] = the name of its exported run function.
 */
import type { SuiteResult } from '../types.js';

const [moduleUrl, exportName] = process.argv.slice(2);
const suite = (await import(moduleUrl!)) as Record<string, () => Promise<SuiteResult>>;
const run = suite[exportName!];
if (typeof run !== 'function') throw new Error(`${moduleUrl} has no export ${exportName}`);
const result = await run();
process.send?.(result, () => process.exit(0));
