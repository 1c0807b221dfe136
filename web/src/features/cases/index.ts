/** Case components shared by the operator and supervisor screens. */
export { CaseSummary, useCaseDetail, caseQueryKey, type CaseDetail } from './CaseSummary';
export { CaseTimeline, timelineQueryKey } from './CaseTimeline';
export { CaseStatusBadge, TaskStatusBadge, UrgencyBadges } from './badges';
export { formatDate, formatDateTime, localized, stepTitle, usePathwayVersion } from './format';
