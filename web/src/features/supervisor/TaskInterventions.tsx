/**
 * One open task on the supervisor's case drill-down: its status, service, assignee and deadline,
 * with the area manager's actions (the shared `TaskManagerActions`: reassign, extend).
 */
import { useQueryClient } from '@tanstack/react-query';
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { Schemas } from '../../api/client';
import { caseQueryKey, TaskStatusBadge, timelineQueryKey, UrgencyBadges } from '../cases';
import { TaskManagerActions } from '../cases/TaskManagerActions';
import { useFormat } from './format';

type Task = Schemas['Task'];

/** One open task with its interventions. */
export function TaskInterventions({ task, stepTitle }: { task: Task; stepTitle: string }) {
  const { t } = useTranslation('supervisor');
  const format = useFormat();
  const id = useId();
  const queryClient = useQueryClient();
  const refresh = async () => {
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: caseQueryKey(task.caseId) }),
      queryClient.invalidateQueries({ queryKey: timelineQueryKey(task.caseId) }),
      queryClient.invalidateQueries({ queryKey: ['supervisor'] }),
    ]);
  };
  return (
    <div className="card card-bg shadow-sm mb-3" data-testid="intervention-task" data-task-id={task.taskId}>
      <div className="card-body">
        <h3 className="h5" id={`${id}-task`}>
          {stepTitle}
        </h3>
        <dl className="row mb-2">
          <div className="col-12 col-md-3">
            <dt className="small">{t('task.status')}</dt>
            <dd className="mb-0">
              <TaskStatusBadge status={task.status} />{' '}
              <UrgencyBadges overdue={task.overdue} escalationLevel={task.escalationLevel} />
            </dd>
          </div>
          <div className="col-12 col-md-3">
            <dt className="small">{t('task.service')}</dt>
            <dd className="mb-0">{format.service(task.service)}</dd>
          </div>
          <div className="col-12 col-md-3">
            <dt className="small">{t('task.assignee')}</dt>
            <dd className="mb-0" data-testid="task-assignee">
              {task.assigneeId ?? t('task.inQueue')}
            </dd>
          </div>
          <div className="col-12 col-md-3">
            <dt className="small">{t('task.deadline')}</dt>
            <dd className="mb-0" data-testid="task-deadline">
              {task.dueAt ? format.dateTime(task.dueAt) : t('task.noDeadline')}
            </dd>
          </div>
        </dl>
        <TaskManagerActions task={task} onChanged={refresh} />
      </div>
    </div>
  );
}
