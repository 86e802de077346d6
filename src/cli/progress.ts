/**
 * Progress on stderr, shown only once a run has taken more than `after` ms: an updating line
 * on a terminal, a plain line every 10% otherwise (logs stay readable).
 */
export function progressReporter(label: string, after = 2000): (done: number, total: number) => void {
  const start = Date.now();
  const tty = process.stderr.isTTY === true;
  let lastDecile = -1;
  return (done, total) => {
    const elapsed = Date.now() - start;
    if (elapsed < after) return;
    const pct = Math.floor((100 * done) / total);
    if (tty) {
      process.stderr.write(`\r${label}: ${pct}% (${done}/${total}) ${(elapsed / 1000).toFixed(1)} s${done === total ? '\n' : ''}`);
    } else if (Math.floor(pct / 10) > lastDecile) {
      lastDecile = Math.floor(pct / 10);
      process.stderr.write(`${label}: ${pct}% (${done}/${total}) ${(elapsed / 1000).toFixed(1)} s\n`);
    }
  };
}
