import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { encoding: 'utf8', cwd: root });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const COMMANDS = [['spectrum'], ['clv'], ['train'], ['sweep', 'run'], ['sweep', 'status'], ['analyze'], ['plot'], ['report'], ['serve'], ['worker'], ['demo'], ['watch']];

test('--help of every command says each option\'s default once', () => {
  for (const command of COMMANDS) {
    const help = cli(...command, '--help');
    assert.equal(help.code, 0, `${command.join(' ')} --help: ${help.stderr}`);
    // One option's description runs until the next line that starts an option.
    const options = help.stdout.replace(/\n +(?![ -])/g, ' ').split('\n').filter((line) => /^\s+-/.test(line));
    assert.ok(options.length > 0, `${command.join(' ')} lists options`);
    for (const line of options) {
      // Ours says it in words ("(default: all cores)", "(default) | float32"), commander appends
      // "(default: 2)": a line with both has two.
      assert.ok((line.match(/\(default\b/g) ?? []).length <= 1, `${command.join(' ')}: two defaults in «${line.trim()}»`);
    }
  }
});

test('commander\'s own errors read like ours: the rnn-lyapunov: prefix, exit code 2', () => {
  for (const args of [['train', '--no-such-flag'], ['spectrum'], ['nosuchcommand']]) {
    const r = cli(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}`);
    assert.match(r.stderr, /^rnn-lyapunov: /, `${args.join(' ')}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /^error: /m);
  }
});
