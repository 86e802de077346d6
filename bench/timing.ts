/** The fastest of `rounds` runs of `run`, in milliseconds: the benches' one timing rule. */
export function minimumMs(rounds: number, run: () => void): number {
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    run();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}
