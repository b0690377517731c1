import { inspect } from 'node:util';
import { afterAll, beforeAll } from 'vitest';
import { leaksIn } from './secret.js';

/**
 * Per-file guards of the fault suite:
 * - collectors for `unhandledRejection` and `uncaughtException` (must stay empty);
 * - a tap on `console.*`, `process.stdout/stderr.write` and process warnings;
 * - `record(...)` for every error and event the tests see.
 * Everything tapped or recorded is scanned at once for the API key (whole or in part).
 */
export interface FileWatch {
  /** Errors, events, logs… whose printable forms must not contain the key. */
  record(...values: unknown[]): void;
  /** Unhandled rejections seen in this file. */
  readonly rejections: unknown[];
  /** Uncaught exceptions seen in this file. */
  readonly exceptions: unknown[];
  /** Where the key was found (source and a snippet). */
  readonly leaks: string[];
  /** How many texts were scanned (so a test can prove the scan ran). */
  readonly scanned: number;
  /** Throws if anything leaked or went unhandled so far. */
  assertClean(): void;
}

const INSPECT = { depth: 8, maxArrayLength: 64, maxStringLength: 4000, breakLength: 200 } as const;

/** Every printable form of `value`: inspected (stack, own props, cause) and JSON. */
export function printableForms(value: unknown): string[] {
  const forms = [inspect(value, INSPECT)];
  if (value instanceof Error) {
    forms.push(String(value.message), String(value.stack ?? ''));
    let cause: unknown = value.cause;
    for (let depth = 0; cause !== undefined && depth < 5; depth++) {
      forms.push(inspect(cause, INSPECT));
      cause = cause instanceof Error ? cause.cause : undefined;
    }
  }
  try {
    const json = JSON.stringify(value, (_key, v: unknown) => {
      if (ArrayBuffer.isView(v)) return `[${v.constructor.name} ${v.byteLength} bytes]`;
      if (typeof v === 'string' && v.length > 4000) return `${v.slice(0, 4000)}…`;
      if (typeof v === 'bigint') return String(v);
      return v;
    });
    if (json !== undefined) forms.push(json);
  } catch {
    // circular: the inspected form covers it
  }
  return forms;
}

type ConsoleMethod = 'log' | 'info' | 'warn' | 'error' | 'debug' | 'trace';
const CONSOLE_METHODS: ConsoleMethod[] = ['log', 'info', 'warn', 'error', 'debug', 'trace'];

export interface Watch extends FileWatch {
  /** Starts the taps and collectors. `passThrough: false` keeps tapped output from being printed. */
  install(options?: { passThrough?: boolean }): void;
  /** Stops them (restores console and the streams). */
  uninstall(): void;
}

/** The taps and collectors, not yet installed (`watchFile` installs them around a test file). */
export function createWatch(): Watch {
  const rejections: unknown[] = [];
  const exceptions: unknown[] = [];
  const leaks: string[] = [];
  let scanned = 0;

  const scan = (source: string, text: string) => {
    scanned++;
    for (const fragment of leaksIn(text)) {
      const at = text.indexOf(fragment);
      leaks.push(`${source}: …${text.slice(Math.max(0, at - 80), at + fragment.length + 40)}…`);
    }
  };
  const record = (...values: unknown[]) => {
    for (const value of values) for (const form of printableForms(value)) scan('recorded', form);
  };

  const onRejection = (reason: unknown) => {
    rejections.push(reason);
    record(reason);
  };
  const onException = (error: unknown) => {
    exceptions.push(error);
    record(error);
  };
  const onWarning = (warning: Error) => scan('process warning', `${warning.name}: ${warning.message}`);
  const originals = new Map<ConsoleMethod, (...args: unknown[]) => void>();
  const stdoutWrite = process.stdout.write;
  const stderrWrite = process.stderr.write;

  const tapStream = (
    stream: NodeJS.WriteStream,
    name: string,
    original: typeof stream.write,
    passThrough: boolean,
  ) => {
    stream.write = function tapped(this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
      scan(name, typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      if (!passThrough) return true;
      return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    } as typeof stream.write;
  };

  const install = ({ passThrough = true }: { passThrough?: boolean } = {}) => {
    process.on('unhandledRejection', onRejection);
    process.on('uncaughtException', onException);
    process.on('warning', onWarning);
    for (const method of CONSOLE_METHODS) {
      const original = console[method] as (...args: unknown[]) => void;
      originals.set(method, original);
      console[method] = (...args: unknown[]) => {
        for (const arg of args) {
          for (const form of printableForms(arg)) scan(`console.${method}`, form);
        }
        if (passThrough) original.apply(console, args);
      };
    }
    tapStream(process.stdout, 'stdout', stdoutWrite, passThrough);
    tapStream(process.stderr, 'stderr', stderrWrite, passThrough);
  };

  const uninstall = () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
    process.off('warning', onWarning);
    for (const [method, original] of originals) console[method] = original;
    originals.clear();
    process.stdout.write = stdoutWrite;
    process.stderr.write = stderrWrite;
  };

  const assertClean = () => {
    const problems: string[] = [];
    if (rejections.length > 0) {
      problems.push(
        `${rejections.length} unhandled rejection(s): ${rejections.map((r) => inspect(r)).join('; ')}`,
      );
    }
    if (exceptions.length > 0) {
      problems.push(
        `${exceptions.length} uncaught exception(s): ${exceptions.map((e) => inspect(e)).join('; ')}`,
      );
    }
    if (leaks.length > 0) problems.push(`the API key leaked ${leaks.length} time(s):\n${leaks.join('\n')}`);
    if (problems.length > 0) throw new Error(problems.join('\n'));
  };

  return {
    record,
    rejections,
    exceptions,
    leaks,
    get scanned() {
      return scanned;
    },
    assertClean,
    install,
    uninstall,
  };
}

/** Installs a watch for the whole test file; after the file, fails it on any leak or unhandled error. */
export function watchFile(): FileWatch {
  const watch = createWatch();
  beforeAll(() => watch.install());
  afterAll(() => {
    watch.uninstall();
    watch.assertClean();
  });
  return watch;
}
