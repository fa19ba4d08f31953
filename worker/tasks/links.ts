/**
 * The links of a task, as its answers carry them (`POST /v1/tasks`, `GET /v1/tasks/:id`)
 * and its callback events too.
 *
 * @example
 * taskLinks("task_0123…").events // "/v1/tasks/task_0123…/events"
 */
export function taskLinks(id: string): Record<string, string> {
  return {
    self: `/v1/tasks/${id}`,
    events: `/v1/tasks/${id}/events`,
    audit: `/v1/tasks/${id}/audit`,
    trace: `/v1/tasks/${id}/trace`,
    approve: `/v1/tasks/${id}/approve`,
    reject: `/v1/tasks/${id}/reject`,
    cancel: `/v1/tasks/${id}/cancel`,
  };
}
