/**
 * What an ONNX RNN, GRU or LSTM node computes, from its op type and attributes, in the terms of
 * our cells: the cell kind, and the order in which PyTorch stacks the gate blocks that ONNX
 * stacks in its own order (LSTM i,o,f,c → PyTorch i,f,g,o; GRU z,r,h → r,z,n). Every attribute
 * that would make the node compute something else is refused by name.
 */
import type { CellKind } from '../../cells/model.js';
import type { OnnxNode } from './decode.js';

export type RecurrentOp = 'RNN' | 'GRU' | 'LSTM';
export const RECURRENT_OPS: readonly string[] = ['RNN', 'GRU', 'LSTM'];

export interface RecurrentNode {
  op: RecurrentOp;
  cell: CellKind;
  /** PyTorch's gate blocks, each given by its index in ONNX's order. */
  torchGateOrder: number[];
  /** The hidden_size attribute, when present. */
  hiddenSize?: number;
}

const GATE_ORDER: Record<RecurrentOp, number[]> = { RNN: [0], GRU: [1, 0, 2], LSTM: [0, 2, 3, 1] };
/** The default activations of each op (ONNX's operator documentation); the ones our cells compute. */
const DEFAULT_ACTIVATIONS: Record<RecurrentOp, string[]> = { RNN: ['Tanh'], GRU: ['Sigmoid', 'Tanh'], LSTM: ['Sigmoid', 'Tanh', 'Tanh'] };
/** The position of LSTM's optional peephole input P among X, W, R, B, sequence_lens, initial_h, initial_c, P. */
const PEEPHOLE_INPUT = 7;

/** The node's meaning; `fail` receives a one-line reason naming the attribute or input. */
export function recurrentNode(node: OnnxNode, fail: (detail: string) => never): RecurrentNode {
  const op = node.op_type as RecurrentOp;
  const refuse = (what: string, expected: string): never => fail(`${what} is not supported; expected ${expected}`);
  let cell: CellKind = op === 'LSTM' ? 'lstm' : op === 'GRU' ? 'gru' : 'rnn_tanh';
  let hiddenSize: number | undefined;
  let linearBeforeReset = false;
  for (const attribute of node.attribute ?? []) {
    const name = attribute.name ?? '';
    if (attribute.ref_attr_name) refuse(`attribute ${name} refers to a function's attribute`, 'a value');
    switch (name) {
      case 'hidden_size':
        hiddenSize = attribute.i ?? 0;
        break;
      case 'direction': {
        const direction = text(attribute.s);
        if (direction !== 'forward') refuse(`attribute direction = '${direction}'`, `'forward' (our cells run one direction: export a unidirectional nn.${op})`);
        break;
      }
      case 'layout':
        // Only where the batch axis of X and Y lies; the weights are the same.
        if (attribute.i !== 0 && attribute.i !== 1) refuse(`attribute layout = ${attribute.i}`, '0 or 1');
        break;
      case 'activations': {
        const given = (attribute.strings ?? []).map(text);
        if (op === 'RNN' && given.length === 1 && given[0].toLowerCase() === 'relu') cell = 'rnn_relu';
        else if (!sameNames(given, DEFAULT_ACTIVATIONS[op])) {
          const choices = op === 'RNN' ? "['Tanh'] or ['Relu']" : `[${DEFAULT_ACTIVATIONS[op].map((a) => `'${a}'`).join(', ')}]`;
          refuse(`attribute activations = [${given.map((a) => `'${a}'`).join(', ')}]`, `${choices}, what nn.${op} computes`);
        }
        break;
      }
      case 'linear_before_reset':
        linearBeforeReset = attribute.i === 1;
        break;
      case 'clip':
      case 'activation_alpha':
      case 'activation_beta':
        refuse(`attribute ${name}`, `no ${name} (nn.${op} has none)`);
        break;
      case 'input_forget':
        if (attribute.i !== 0) refuse(`attribute input_forget = ${attribute.i}`, '0 (coupled input and forget gates are not nn.LSTM)');
        break;
      default:
        refuse(`attribute '${name}'`, `only those of the ONNX ${op} operator`);
    }
  }
  if (op === 'GRU' && !linearBeforeReset) {
    refuse('attribute linear_before_reset = 0 (the reset gate applied before the recurrent matrix)', "linear_before_reset = 1, PyTorch's GRU");
  }
  const peepholes = node.input?.[PEEPHOLE_INPUT] ?? '';
  if (op === 'LSTM' && peepholes !== '') refuse(`input P (peephole weights) '${peepholes}'`, 'no peepholes (nn.LSTM has none)');
  return { op, cell, torchGateOrder: GATE_ORDER[op], ...(hiddenSize === undefined ? {} : { hiddenSize }) };
}

function text(bytes: Uint8Array | undefined): string {
  return new TextDecoder().decode(bytes ?? new Uint8Array());
}

function sameNames(given: string[], expected: string[]): boolean {
  return given.length === expected.length && given.every((name, index) => name.toLowerCase() === expected[index].toLowerCase());
}
