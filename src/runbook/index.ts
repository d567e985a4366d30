export { convertRunbook, describeProcedure, slugOf, type ConvertedRunbook } from './convert.js';
export { parseRunbook, type RunbookItem } from './parse.js';
export { RULES, mapItem, commandArgv } from './rules.js';
