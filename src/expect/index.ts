// The judging vocabulary: parse an `expect`, judge an observation, show a value. A leaf:
// it imports only SDK types, so playbook/, run/ and report/ may all use it.
export { parseExpect, type Comparison, type Expectation, type Operand, type ParseResult } from './parse.js';
export { judge, type JudgeOptions, type Judgement } from './judge.js';
export { show } from './show.js';
