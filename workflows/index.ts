/** Entry point of the workflow bundle: every workflow type the case worker hosts. */
export { pathwayCase } from './case-workflow';
