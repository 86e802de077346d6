/**
 * What drives `spectrum`, from its flags: an inputs file, a run's held-out data, a text or token
 * ids through the model's embedding, or a random drive. Each is weighed before it is made, and
 * described for the JSON's `inputs` field and the table's header.
 */
import type { RnnModel } from '../cells/model.js';
import { inputSequencesShape, loadInputSequences, loadTextTokens, loadTokenIds, type Embedding } from '../io/index.js';
import {
  defaultDrive, drivePlan, embeddingInputs, tokenBatch, windowOffsets, type DriveDescription, type DriveKind, type SpectrumInputs, type SpectrumMemoryShape,
} from '../model-spectrum/index.js';
import { UsageError } from './errors.js';

export interface InputFlags {
  inputs?: string;
  drive?: DriveKind;
  text?: string;
  vocab?: string;
  tokens?: string;
  batch: number;
  seed: number;
}

/** The JSON's record of the inputs, enough to make them again. */
export type InputsDescription =
  | { kind: 'inputs'; file: string }
  | { kind: 'run'; run: string; epoch: number; seed: number }
  | { kind: 'text'; file: string; vocabulary: string; embedding: string; tokens: number; offsets: number[] }
  | { kind: 'tokens'; file: string; embedding: string }
  | DriveDescription;

export interface InputPlan {
  /** Sequences, steps and features, and how they are held: what the memory check weighs. */
  shape: Pick<SpectrumMemoryShape, 'batch' | 'steps' | 'size' | 'held' | 'tokens'>;
  make(): SpectrumInputs;
  description: InputsDescription;
  /** The table's "driven by …" phrase. */
  phrase: string;
  /** Whether the inputs go through the embedding (so that it counts among the tensors used). */
  throughEmbedding: boolean;
}

export interface RunInputs {
  dir: string;
  epoch: number;
  heldOutInputs: (batch: number, steps: number, seed: number) => SpectrumInputs;
  /** A forecaster's run: the teacher-forced steps of held-out data before its closed loop (the task's warmup). */
  closedLoopWarmup?: number;
}

/** At most one of --inputs, --drive, --text, --tokens; --text and --vocab together. */
export function checkInputFlags(flags: InputFlags): void {
  const given = (['inputs', 'drive', 'text', 'tokens'] as const).filter((name) => flags[name] !== undefined);
  if (given.length > 1) throw new UsageError(`give one of --inputs, --drive, --text, --tokens, not ${given.map((name) => `--${name}`).join(' and ')}`);
  if ((flags.text === undefined) !== (flags.vocab === undefined)) {
    throw new UsageError(flags.text === undefined ? '--vocab goes with --text FILE' : '--text needs --vocab VOCAB (a JSON list of symbols or a string of characters, index = token id)');
  }
}

/**
 * The plan for `steps` input steps per sequence. Without inputs, a run is driven by its own
 * held-out data, a model with an embedding by random tokens through it, others by one-hot vectors.
 */
export function planInputs(
  flags: InputFlags, model: RnnModel, embedding: Embedding | undefined, run: RunInputs | undefined, steps: number, modelPath: string,
): InputPlan {
  const { batch, seed } = flags;
  const size = model.inputSize;
  if (flags.inputs !== undefined) {
    const file = flags.inputs;
    return {
      shape: { ...inputSequencesShape(file), held: true }, make: () => loadInputSequences(file),
      description: { kind: 'inputs', file }, phrase: file, throughEmbedding: false,
    };
  }
  if (run !== undefined && flags.drive === undefined) {
    return {
      shape: { batch, steps, size, held: true }, make: () => run.heldOutInputs(batch, steps, seed),
      description: { kind: 'run', run: run.dir, epoch: run.epoch, seed },
      phrase: `held-out data of ${run.dir} (epoch ${run.epoch} checkpoint, seed ${seed})`, throughEmbedding: false,
    };
  }
  const drive = flags.drive ?? (flags.text === undefined && flags.tokens === undefined ? defaultDrive(embedding) : 'onehot');
  const tokenInput = flags.text !== undefined ? '--text' : flags.tokens !== undefined ? '--tokens' : drive === 'tokens' ? '--drive tokens' : undefined;
  if (tokenInput === undefined) return drivePlan(drive, model, embedding, batch, steps, seed);
  if (embedding === undefined) {
    throw new UsageError(
      `${tokenInput} drives a model through its embedding, but ${modelPath} has none of width ${size} (the RNN's input size): ` +
        `expected a tensor [V, ${size}] named like embedding.weight (embed, embedding, encoder or emb); name one with --embedding TENSOR`,
    );
  }
  const tokens = { vocabSize: embedding.vocabSize };
  const through = `through '${embedding.name}'`;
  if (flags.text !== undefined) {
    const [text, vocab] = [flags.text, flags.vocab!];
    const ids = loadTextTokens(text, vocab);
    const offsets = windowOffsets(ids.length, batch, steps, text);
    return {
      shape: { batch, steps, size, held: true, tokens }, make: () => embeddingInputs(embedding, ids, batch, steps, text),
      description: { kind: 'text', file: text, vocabulary: vocab, embedding: embedding.name, tokens: ids.length, offsets },
      phrase: `${text} ${through} (vocabulary ${vocab}, ${ids.length} tokens; windows at ${offsets.join(', ')})`, throughEmbedding: true,
    };
  }
  if (flags.tokens !== undefined) {
    const file = flags.tokens;
    const { batch: fileBatch, steps: fileSteps, ids } = loadTokenIds(file, embedding);
    return {
      shape: { batch: fileBatch, steps: fileSteps, size, held: true, tokens }, make: () => tokenBatch(embedding, ids, fileBatch, fileSteps, file),
      description: { kind: 'tokens', file, embedding: embedding.name }, phrase: `${file} ${through}`, throughEmbedding: true,
    };
  }
  return drivePlan('tokens', model, embedding, batch, steps, seed);
}
