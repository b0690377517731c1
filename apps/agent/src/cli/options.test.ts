import { describe, expect, it } from 'vitest';
import { DEFAULT_PORT, HELP, OptionError, parseOptions } from './options.js';

describe('parseOptions', () => {
  it('defaults to both modes, the demo, port 8080 and out/', () => {
    expect(parseOptions([])).toEqual({
      mode: 'both',
      serve: false,
      port: DEFAULT_PORT,
      host: '127.0.0.1',
      input: undefined,
      outDir: 'out',
      forceSimulator: false,
      help: false,
    });
  });

  it('reads every option, ignoring the `--` pnpm passes through', () => {
    const options = parseOptions([
      '--',
      '--mode',
      'realtime',
      '--serve',
      '--port',
      '0',
      '--host',
      '0.0.0.0',
      '--input',
      'me.wav',
      '--out',
      '/tmp/x',
      '--simulator',
    ]);
    expect(options).toMatchObject({
      mode: 'realtime',
      serve: true,
      port: 0,
      host: '0.0.0.0',
      input: 'me.wav',
      outDir: '/tmp/x',
      forceSimulator: true,
    });
    expect(parseOptions(['-h']).help).toBe(true);
    expect(parseOptions(['--mode=cascaded']).mode).toBe('cascaded');
  });

  it('names the option and the allowed values on bad input', () => {
    expect(() => parseOptions(['--mode', 'fast'])).toThrow(OptionError);
    expect(() => parseOptions(['--mode', 'fast'])).toThrow(
      /--mode: "fast" is not one of cascaded, realtime, both/,
    );
    expect(() => parseOptions(['--port', '70000'])).toThrow(/--port: "70000" is not a port number/);
    expect(() => parseOptions(['--port', 'abc'])).toThrow(/--port/);
    expect(() => parseOptions(['--input', 'voice.mp3'])).toThrow(/--input: "voice.mp3" is not a .wav file/);
    expect(() => parseOptions(['--verbose'])).toThrow(/arguments: .*--verbose/);
    expect(() => parseOptions(['extra'])).toThrow(/arguments/);
  });

  it('documents every option in --help', () => {
    for (const flag of [
      '--mode',
      '--serve',
      '--port',
      '--host',
      '--input',
      '--out',
      '--simulator',
      '--help',
    ]) {
      expect(HELP).toContain(flag);
    }
    expect(HELP).toContain('cascaded|realtime|both');
  });
});
