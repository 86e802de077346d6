import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** The machine in words for a benchmark's header: CPU model (with family/model where Linux says), cores, Node. */
export function machineLine(): string {
  let model = cpus()[0]?.model ?? 'unknown CPU';
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const field = (name: string) => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(info)?.[1];
    const flags = field('flags') ?? '';
    const simd = flags.includes('avx512f') ? 'AVX-512' : flags.includes('avx2') ? 'AVX2' : 'SSE';
    model += ` (family ${field('cpu family')}, model ${field('model')}, ${simd})`;
  } catch {
    // Not Linux: the model name alone.
  }
  return `${model}, ${cpus().length} cores, Node ${process.version}`;
}
