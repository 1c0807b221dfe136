/** Entry point of the workflow bundle: every workflow type the case worker hosts. */
export { pathwayCase } from './case-workflow';
export { retentionSweep } from './retention-workflow';
export { interventionJob } from './intervention-workflow';
export { supervisorDigest } from './digest-workflow';
