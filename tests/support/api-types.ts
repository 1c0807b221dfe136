/**
 * The API's response shapes for tests, taken from the code that produces them rather than retyped,
 * so a test cannot keep passing against a shape the API no longer returns.
 */
export type { Problem } from '../../api/schemas/problem';
export type { CaseDetail, CaseSummary } from '../../infra/db/case-repository';
export type { TaskView } from '../../infra/db/task-repository';
import type { TaskDetail } from '../../infra/db/task-repository';

/** A task as `GET /tasks/{id}` and the task commands answer it (the step's form included). */
export type TaskWithStep = Omit<TaskDetail, 'completionKey'>;

/** A cursor-paginated list. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
